import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../gadgets/define.js';
import type { RtcMaster, RtcSlave, RtcStatus } from '../../gadgets/index.js';
import { decodeToken, encodeToken } from '../../gadgets/signaling/token.js';
import { qrSvg } from '../../gadgets/elements/qr-code.js';
import { readQrPhoto } from '../../gadgets/elements/qr-photo.js';
import { render } from 'lit';
import { testDatabase } from './fixtures.js';

/** What a person sees of an element: its pairing panel's shadow root when it shows one, else its own. */
const shadow = (el: Element) => el.shadowRoot!.querySelector('rtc-pairing-panel')?.shadowRoot ?? el.shadowRoot!;
const byLabel = (el: Element, text: string) => {
  const label = [...shadow(el).querySelectorAll('label')].find((l) => l.textContent!.trim() === text);
  return label ? (shadow(el).getElementById(label.htmlFor) as HTMLTextAreaElement | null) : null;
};
const button = (el: Element, text: string) =>
  [...shadow(el).querySelectorAll('button')].find((b) => b.textContent!.trim() === text) as HTMLButtonElement | undefined;

/** Types `value` into a text area as a person would, then submits its form with `label`'s button. */
async function enter(el: Element, box: HTMLTextAreaElement, value: string, label: string): Promise<void> {
  box.value = value;
  box.dispatchEvent(new Event('input'));
  button(el, label)!.click();
}

/** A PNG "photo" of a QR code as the screen shows it: the SVG drawn at `px` pixels a side. */
async function photoOf(svg: SVGSVGElement, px = 480): Promise<File> {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('width', String(px));
  copy.setAttribute('height', String(px));
  const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(copy)], { type: 'image/svg+xml' }));
  const img = new Image(px, px);
  img.src = url;
  await img.decode();
  const canvas = Object.assign(document.createElement('canvas'), { width: px, height: px });
  canvas.getContext('2d')!.drawImage(img, 0, 0, px, px);
  URL.revokeObjectURL(url);
  const png = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
  return new File([png], 'qr.png', { type: 'image/png' });
}

/** Chooses `file` in a file input as a person would (the browser sets `files`, then fires change). */
function choose(input: HTMLInputElement, file: File): void {
  const transfer = new DataTransfer();
  transfer.items.add(file);
  input.files = transfer.files;
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

/** The file input behind `el`'s "Read a photo of the QR code" button. */
const photoInput = (el: Element) => shadow(el).querySelector('input[type="file"]') as HTMLInputElement;

/** A manual master on a new database, ready, and a manual slave. */
async function masterAndSlave(): Promise<{ master: RtcMaster; slave: RtcSlave }> {
  const master = await fixture<RtcMaster>(html`<rtc-master signaling="manual" database=${testDatabase('pair')}></rtc-master>`);
  const slave = await fixture<RtcSlave>(html`<rtc-slave signaling="manual"></rtc-slave>`);
  await waitUntil(() => master.state === 'connected', 'master ready');
  return { master, slave };
}

/** A manual slave once its panel shows its offer. */
async function slaveWithOffer(): Promise<RtcSlave> {
  const slave = await fixture<RtcSlave>(html`<rtc-slave signaling="manual"></rtc-slave>`);
  await waitUntil(() => byLabel(slave, 'Offer token')?.value, 'offer shown', { timeout: 10000 });
  return slave;
}

describe('pairing panels (signaling="manual")', () => {
  it('the slave shows its offer (labelled read-only text, Copy, QR code) and a box for the answer', async () => {
    const slave = await slaveWithOffer();
    const offer = byLabel(slave, 'Offer token')!;
    expect(offer.readOnly).to.equal(true);
    expect(decodeToken(offer.value, 'offer').kind).to.equal('offer');
    expect(offer.value).to.equal((await slave.createOffer()).replace(/(.{4})(?=.)/g, '$1 '));
    expect(button(slave, 'Copy offer token')).to.exist;
    const qr = shadow(slave).querySelector('svg[role="img"]')!;
    expect(qr.getAttribute('aria-label')).to.equal('QR code of the offer token');
    expect(byLabel(slave, 'Answer token from the master')).to.exist;
    expect(button(slave, 'Connect')).to.exist;
    // No camera scanning offered where BarcodeDetector is missing (desktop Linux).
    expect(button(slave, 'Scan QR code')).to.equal(undefined);
    expect(slave.state).to.equal('connecting');
    await expect(slave).to.be.accessible();
    await slave.disconnect();
  });

  it('a master and a slave in one page pair through their panels and the database API works', async () => {
    const { master, slave } = await masterAndSlave();
    await expect(master).to.be.accessible();
    await waitUntil(() => byLabel(slave, 'Offer token')?.value, 'offer shown', { timeout: 10000 });
    await enter(master, byLabel(master, 'Offer token from the slave')!, byLabel(slave, 'Offer token')!.value, 'Create answer');
    await waitUntil(() => byLabel(master, 'Answer token')?.value, 'answer shown', { timeout: 10000 });
    expect(shadow(master).querySelector('svg[aria-label="QR code of the answer token"]')).to.exist;
    await enter(slave, byLabel(slave, 'Answer token from the master')!, byLabel(master, 'Answer token')!.value, 'Connect');
    await waitUntil(() => slave.state === 'connected', 'slave connected', { timeout: 15000 });
    await waitUntil(() => /is connected/.test(shadow(master).textContent!), 'master says connected');
    expect(master.peers.filter((p) => p.state === 'connected').length).to.equal(1);
    const id = await slave.post({ paired: 'by hand' });
    expect(await master.get(id)).to.deep.equal({ paired: 'by hand' });
    expect((await slave.allDocs({ query: 'paired:"by hand"' })).data.total_rows).to.equal(1);
    await expect(slave).to.be.accessible();
    await slave.disconnect();
    await master.disconnect();
  });

  it('the master fires rtc-progress with the slave\'s id for an upload it receives, growing to total', async () => {
    const { master, slave } = await masterAndSlave();
    await slave.acceptAnswer(await master.acceptOffer(await slave.createOffer()));
    await waitUntil(() => master.peers.some((p) => p.state === 'connected'), 'slave served', { timeout: 15000 });
    const seen: { id: string; name: string; loaded: number; total: number; peer?: string }[] = [];
    master.addEventListener('rtc-progress', (e) => seen.push(e.detail));
    await slave.put('doc', { title: 'with a file' });
    const size = 10 * 1024 * 1024 + 17; // over two batches of chunks (8 × 512 KiB)
    const bytes = new Uint8Array(size).map((_, i) => (i * 31) % 251);
    await slave.putAttachment('doc', 'data.bin', new Blob([bytes]));
    expect(seen.length).to.be.greaterThan(1);
    const peer = master.peers.find((p) => p.state === 'connected')!.id;
    expect(seen.every((d) => d.id === 'doc' && d.name === 'data.bin' && d.total === size && d.peer === peer)).to.equal(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.loaded, `grows at ${i}`).to.be.greaterThan(seen[i - 1]!.loaded);
    expect(seen.at(-1)!.loaded).to.equal(size);
    const back = new Uint8Array(await ((await master.getAttachment('doc', 'data.bin', { format: 'array_buffer' })) as ArrayBuffer));
    expect(back.length).to.equal(size);
    expect(back[size - 1]).to.equal(bytes[size - 1]);
    await slave.disconnect();
    await master.disconnect();
  });

  it('a wrong token is shown as an alert in place; the offer stays', async () => {
    const slave = await slaveWithOffer();
    const offer = byLabel(slave, 'Offer token')!.value;
    await enter(slave, byLabel(slave, 'Answer token from the master')!, offer, 'Connect');
    await waitUntil(() => shadow(slave).querySelector('[role="alert"]'), 'alert shown');
    expect(shadow(slave).querySelector('[role="alert"]')!.textContent).to.match(/offer token, not an answer/);
    expect(byLabel(slave, 'Offer token')!.value).to.equal(offer);
    await slave.disconnect();
  });

  it('the panel\'s parts (pairing, qr) are styled from the page through the host', async () => {
    const style = document.createElement('style');
    style.textContent = 'rtc-slave::part(pairing) { border-color: rgb(1, 2, 3); } rtc-slave::part(qr) { outline: 2px solid rgb(4, 5, 6); }';
    document.head.append(style);
    try {
      const slave = await slaveWithOffer();
      expect(getComputedStyle(shadow(slave).querySelector('[part="pairing"]')!).borderTopColor).to.equal('rgb(1, 2, 3)');
      expect(getComputedStyle(shadow(slave).querySelector('[part="qr"]')!).outlineColor).to.equal('rgb(4, 5, 6)');
      await slave.disconnect();
    } finally {
      style.remove();
    }
  });

  it('reads a token from a photo of its QR code (qr-photo.ts), compact or a full SDP', async () => {
    const slave = await fixture<RtcSlave>(html`<rtc-slave signaling="manual"></rtc-slave>`);
    const token = await slave.createOffer();
    const full = decodeToken(token).sdp.replace('sha-256', 'sha-1'); // not reducible: carried as the full SDP
    expect(encodeToken('offer', full)).to.equal(full);
    for (const text of [token, full]) {
      const holder = document.createElement('div');
      render(qrSvg(text, 'QR code'), holder);
      expect(await readQrPhoto(await photoOf(holder.querySelector('svg')!, 900))).to.equal(text);
    }
    const holder = document.createElement('div');
    render(html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#fff"/><circle cx="5" cy="5" r="3"/></svg>`, holder);
    const blank = await photoOf(holder.querySelector('svg')!, 200);
    const error = await readQrPhoto(blank).then(() => null, (e: Error & { status_code: number }) => e);
    expect(error?.status_code).to.equal(400);
    expect(error?.message).to.match(/No QR code could be read/);
    await slave.disconnect();
  });

  it('a master and a slave pair by photos of each other\'s QR code (no camera, no BarcodeDetector)', async () => {
    const { master, slave } = await masterAndSlave();
    await waitUntil(() => byLabel(slave, 'Offer token')?.value, 'offer shown', { timeout: 10000 });
    expect(button(master, 'Read a photo of the QR code')).to.exist;
    expect(photoInput(master).accept).to.equal('image/*');
    expect(photoInput(master).getAttribute('capture')).to.equal('environment');
    // The master reads the slave's offer from a photo: the token lands in the box, as if typed.
    choose(photoInput(master), await photoOf(shadow(slave).querySelector('svg[aria-label="QR code of the offer token"]')!));
    await waitUntil(() => byLabel(master, 'Offer token from the slave')!.value, 'offer read from the photo', { timeout: 10000 });
    expect(byLabel(master, 'Offer token from the slave')!.value).to.equal(await slave.createOffer());
    button(master, 'Create answer')!.click();
    await waitUntil(() => byLabel(master, 'Answer token')?.value, 'answer shown', { timeout: 10000 });
    // The slave reads the master's answer from a photo, then connects.
    choose(photoInput(slave), await photoOf(shadow(master).querySelector('svg[aria-label="QR code of the answer token"]')!));
    await waitUntil(() => byLabel(slave, 'Answer token from the master')!.value, 'answer read from the photo', { timeout: 10000 });
    expect(byLabel(slave, 'Answer token from the master')!.value.replace(/ /g, '')).to.equal(byLabel(master, 'Answer token')!.value.replace(/ /g, ''));
    button(slave, 'Connect')!.click();
    await waitUntil(() => slave.state === 'connected', 'slave connected', { timeout: 15000 });
    const id = await slave.post({ paired: 'by photo' });
    expect(await master.get(id)).to.deep.equal({ paired: 'by photo' });
    await slave.disconnect();
    await master.disconnect();
  });

  it('a photo without a QR code is an alert in place; the box keeps what was typed', async () => {
    const slave = await slaveWithOffer();
    const box = byLabel(slave, 'Answer token from the master')!;
    box.value = 'ABCD';
    box.dispatchEvent(new Event('input'));
    choose(photoInput(slave), new File([new Uint8Array([1, 2, 3])], 'not-an-image.png', { type: 'image/png' }));
    await waitUntil(() => shadow(slave).querySelector('[role="alert"]'), 'alert shown');
    expect(shadow(slave).querySelector('[role="alert"]')!.textContent).to.match(/not an image/);
    expect(byLabel(slave, 'Answer token from the master')!.value).to.equal('ABCD');
    await slave.disconnect();
  });

  it('the script API needs signaling="manual" (400 otherwise)', async () => {
    const master = await fixture<RtcMaster>(html`<rtc-master no-autoconnect database=${testDatabase('pair')} signaling="ws://127.0.0.1:9/signal"></rtc-master>`);
    const slave = await fixture<RtcSlave>(html`<rtc-slave no-autoconnect signaling="ws://127.0.0.1:9/signal"></rtc-slave>`);
    const code = (p: Promise<unknown>) => p.then(() => 'resolved', (e: { status_code?: number }) => e.status_code);
    expect(await code(master.acceptOffer('x'))).to.equal(400);
    expect(await code(slave.createOffer())).to.equal(400);
    expect(await code(slave.acceptAnswer('x'))).to.equal(400);
    expect(shadow(master).querySelector('.pairing')).to.equal(null);
  });

  it('<rtc-status> says "manual pairing" instead of a room', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`<div>
      <rtc-slave id="manual-slave" signaling="manual" no-autoconnect></rtc-slave><rtc-status for="manual-slave"></rtc-status>
    </div>`);
    const status = wrapper.querySelector('rtc-status') as RtcStatus;
    await waitUntil(() => /manual pairing/.test(shadow(status).textContent!), 'manual pairing shown');
    expect(shadow(status).textContent).not.to.match(/room/);
  });
});
