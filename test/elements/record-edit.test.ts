// <rtc-query-form>: records opened for editing in a dialog (Save, Cancel/Escape, Delete with a
// confirmation), conflicts with another writer, and typed fields. Real IndexedDB, a real master.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../gadgets/define.js';
import type { RtcMaster, RtcQueryForm } from '../../gadgets/index.js';
import { testDatabase } from './fixtures.js';

const root = (form: RtcQueryForm) => form.shadowRoot!;
const dialog = (form: RtcQueryForm) => root(form).querySelector<HTMLDialogElement>('dialog.editor');
const field = (form: RtcQueryForm, name: string) => dialog(form)!.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
const button = (scope: ParentNode, text: string) =>
  [...scope.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent!.trim() === text)!;
const editButton = (form: RtcQueryForm, id: string) => root(form).querySelector<HTMLButtonElement>(`button.edit[data-id="${id}"]`)!;
const rows = (form: RtcQueryForm) =>
  [...root(form).querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent));

async function setup(fields = 'first,last', attrs = '') {
  const wrap = await fixture(html`<div>
    <rtc-master id="em" no-autoconnect database=${testDatabase('edit')}></rtc-master>
    <rtc-query-form for="em" fields=${fields} ?live=${attrs === 'live'}></rtc-query-form>
  </div>`);
  const master = wrap.querySelector('rtc-master') as RtcMaster;
  const form = wrap.querySelector('rtc-query-form') as RtcQueryForm;
  await waitUntil(() => root(form).querySelector('caption') && !root(form).querySelector('fieldset')?.disabled, 'form renders, bound');
  await form.refresh(); // the first search is over (a search that succeeds clears the error shown)
  return { master, form };
}

/** Puts `doc` as `id`, shows it, and opens it for editing. */
async function openEditor(master: RtcMaster, form: RtcQueryForm, id: string, doc: Record<string, unknown>) {
  await master.put(id, doc);
  await form.refresh();
  await waitUntil(() => editButton(form, id), 'the row has an Edit button');
  editButton(form, id).focus();
  editButton(form, id).click();
  await waitUntil(() => dialog(form)?.open, 'the dialog opens');
}

describe('<rtc-query-form> editing', () => {
  it('opens a row in a labelled dialog, focused on the first field; Save changes only the edited fields and gives the focus back', async () => {
    const { master, form } = await setup();
    await openEditor(master, form, 'ada', { first: 'Ada', last: 'Byron', born: 1815, tags: ['math'] });
    expect(editButton(form, 'ada').getAttribute('aria-label')).to.equal('Edit record ada');
    expect(field(form, 'first').value).to.equal('Ada');
    expect(field(form, 'last').value).to.equal('Byron');
    expect(field(form, 'last').labels![0]!.textContent!.trim()).to.equal('last');
    expect(root(form).activeElement).to.equal(field(form, 'first'));
    expect(dialog(form)!.textContent).to.contain('Kept as they are: born, tags.');
    await expect(form).to.be.accessible();
    field(form, 'last').value = 'Lovelace';
    button(dialog(form)!, 'Save').click();
    await waitUntil(() => !dialog(form), 'the dialog closes');
    expect(await master.get('ada')).to.deep.equal({ first: 'Ada', last: 'Lovelace', born: 1815, tags: ['math'] });
    await waitUntil(() => JSON.stringify(rows(form)) === JSON.stringify([['Ada', 'Lovelace']]), 'the table shows the change');
    expect(root(form).querySelector('.notice')!.textContent).to.equal('Saved record ada');
    await waitUntil(() => root(form).activeElement === editButton(form, 'ada'), 'the focus is back on the row\'s Edit button');
  });

  it('Escape cancels editing without writing; an emptied field is removed on save', async () => {
    const { master, form } = await setup();
    await openEditor(master, form, 'g', { first: 'Grace', last: 'Hopper' });
    field(form, 'first').value = 'Changed';
    await sendKeys({ press: 'Escape' });
    await waitUntil(() => !dialog(form), 'Escape closes the dialog');
    expect(await master.get('g')).to.deep.equal({ first: 'Grace', last: 'Hopper' });
    await waitUntil(() => root(form).activeElement === editButton(form, 'g'), 'the focus is back on Edit');
    editButton(form, 'g').click();
    await waitUntil(() => dialog(form)?.open, 'opens again');
    expect(field(form, 'first').value).to.equal('Grace');
    field(form, 'first').value = '';
    button(dialog(form)!, 'Cancel').click();
    await waitUntil(() => !dialog(form), 'Cancel closes it');
    editButton(form, 'g').click();
    await waitUntil(() => dialog(form)?.open, 'opens again');
    field(form, 'first').value = '  ';
    await sendKeys({ press: 'Enter' }); // in the first field: submits
    await waitUntil(() => !dialog(form), 'saved');
    expect(await master.get('g')).to.deep.equal({ last: 'Hopper' });
  });

  it('deletes only after a confirmation, whose safe choice has the focus', async () => {
    const { master, form } = await setup();
    await master.put('other', { first: 'Alan', last: 'Turing' });
    await openEditor(master, form, 'k', { first: 'Katherine', last: 'Johnson' });
    button(dialog(form)!, 'Delete…').click();
    await waitUntil(() => root(form).activeElement === button(dialog(form)!, 'Keep it'), '"Keep it" has the focus');
    const group = dialog(form)!.querySelector('[role=group]')!;
    expect(group.getAttribute('aria-labelledby')).to.equal('confirm-text');
    expect(group.textContent).to.contain('Delete this record? This cannot be undone.');
    await expect(form).to.be.accessible();
    button(dialog(form)!, 'Keep it').click();
    await waitUntil(() => root(form).activeElement === button(dialog(form)!, 'Delete…'), 'back on Delete…');
    expect(await master.get('k')).to.deep.equal({ first: 'Katherine', last: 'Johnson' });
    button(dialog(form)!, 'Delete…').click();
    await waitUntil(() => button(dialog(form)!, 'Delete record'), 'asked again');
    button(dialog(form)!, 'Delete record').click();
    await waitUntil(() => !dialog(form), 'closed');
    const gone = await master.get('k').catch((e: { status_code: number }) => e.status_code);
    expect(gone).to.equal(404);
    expect(root(form).querySelector('.notice')!.textContent).to.equal('Deleted record k');
    await waitUntil(() => rows(form).length === 1, 'the row is gone');
    await waitUntil(() => root(form).activeElement === editButton(form, 'other'), 'the focus goes to the row left');
  });

  it('says at once that another device changed the open record, and saves over it only when asked', async () => {
    const { master, form } = await setup();
    await openEditor(master, form, 'h', { first: 'Hedy', last: 'Lamarr', note: 'a' });
    await new Promise((r) => setTimeout(r, 300)); // the watch of the open record starts
    field(form, 'first').value = 'Hedwig';
    await master.put('h', { first: 'Hedy', last: 'Kiesler', note: 'b' }); // another device
    await waitUntil(() => dialog(form)!.querySelector('.conflict[role=alert]'), 'the conflict is shown with no click', { timeout: 3000 });
    expect(dialog(form)!.querySelector('.conflict')!.textContent).to.contain('Someone changed this record while you were editing it');
    expect(field(form, 'first').value, 'what was typed stays').to.equal('Hedwig');
    await expect(form).to.be.accessible();
    // Save is refused while it stands.
    button(dialog(form)!, 'Save').click();
    await new Promise((r) => setTimeout(r, 300));
    expect(dialog(form)).not.to.equal(null);
    expect(await master.get('h')).to.deep.equal({ first: 'Hedy', last: 'Kiesler', note: 'b' });
    // Load their version, edit again, save: their values stay except the field edited.
    button(dialog(form)!, 'Load their version').click();
    await waitUntil(() => field(form, 'last').value === 'Kiesler' && !dialog(form)!.querySelector('.conflict'), 'their version is in the form');
    expect(field(form, 'first').value).to.equal('Hedy');
    field(form, 'first').value = 'Hedwig';
    button(dialog(form)!, 'Save').click();
    await waitUntil(() => !dialog(form), 'saved');
    expect(await master.get('h')).to.deep.equal({ first: 'Hedwig', last: 'Kiesler', note: 'b' });
    // Save mine anyway: the edited field wins, the rest is theirs.
    editButton(form, 'h').click();
    await waitUntil(() => dialog(form)?.open, 'opens again');
    field(form, 'last').value = 'Markey';
    await master.put('h', { first: 'H.', last: 'Kiesler', note: 'c' });
    await waitUntil(() => dialog(form)!.querySelector('.conflict'), 'the conflict is shown', { timeout: 3000 });
    button(dialog(form)!, 'Save mine anyway').click();
    await waitUntil(() => !dialog(form), 'saved');
    expect(await master.get('h')).to.deep.equal({ first: 'H.', last: 'Markey', note: 'c' });
  });

  it('says that another device deleted the open record; a save finding it changed is refused too', async () => {
    const { master, form } = await setup();
    await openEditor(master, form, 'r', { first: 'Rosalind', last: 'Franklin' });
    await new Promise((r) => setTimeout(r, 300));
    await master.remove('r');
    await waitUntil(() => dialog(form)!.querySelector('.conflict'), 'the deletion is shown', { timeout: 3000 });
    expect(dialog(form)!.querySelector('.conflict')!.textContent).to.contain('Someone deleted this record while you were editing it');
    button(dialog(form)!, 'Save mine anyway').click();
    await waitUntil(() => !dialog(form), 'put back');
    expect(await master.get('r')).to.deep.equal({ first: 'Rosalind', last: 'Franklin' });
    // With no changes feed to tell (a watch that never reports), the read before the save catches it.
    master.watch = () => () => {};
    editButton(form, 'r').click();
    await waitUntil(() => dialog(form)?.open, 'opens again');
    await master.put('r', { first: 'R.', last: 'Franklin' });
    await new Promise((r) => setTimeout(r, 200));
    expect(dialog(form)!.querySelector('.conflict')).to.equal(null);
    field(form, 'last').value = 'F.';
    button(dialog(form)!, 'Save').click();
    await waitUntil(() => dialog(form)!.querySelector('.conflict'), 'refused with the message');
    expect(await master.get('r')).to.deep.equal({ first: 'R.', last: 'Franklin' });
  });
});

describe('<rtc-query-form> typed fields', () => {
  it('stores a number field as a number, refuses text in it, and ranges match typed and imported records alike', async () => {
    const { master, form } = await setup('name,population:number');
    const create = root(form).querySelector<HTMLFormElement>('form[part=create]')!;
    const input = (name: string) => create.querySelector<HTMLInputElement>(`input[name=${name}]`)!;
    expect(input('population').inputMode).to.equal('decimal');
    expect(input('population').labels![0]!.textContent!.trim()).to.equal('population');
    expect(root(form).querySelector('th button[aria-label="Sort by population"]')).not.to.equal(null);
    input('name').value = 'Typedville';
    input('population').value = '12a';
    button(create, 'Add record').click();
    await waitUntil(() => root(form).querySelector('[role=alert]'), 'the error is shown');
    expect(root(form).querySelector('[role=alert]')!.textContent).to.equal('population must be a number, like 1500 or -2.5');
    expect(input('population').getAttribute('aria-invalid')).to.equal('true');
    expect(root(form).activeElement).to.equal(input('population'));
    await expect(form).to.be.accessible();
    input('population').value = ' 1500 ';
    button(create, 'Add record').click();
    await waitUntil(() => root(form).querySelector('.notice'), 'created');
    expect(input('population').getAttribute('aria-invalid')).to.equal('false');
    // Imported records (a CSV column of numbers becomes numbers) next to the typed one.
    await master.bulkPut([{ id: 'i1', doc: { name: 'Small', population: 900 } }, { id: 'i2', doc: { name: 'Big', population: 20000 } }]);
    const { data } = await master.allDocs({ query: 'population:>1000', sort_on: [['population', 'ascending']], select_list: ['name', 'population'] });
    expect(data.rows.map((r) => r.value)).to.deep.equal([{ name: 'Typedville', population: 1500 }, { name: 'Big', population: 20000 }]);
    // Editing keeps the type.
    const id = data.rows[0]!.id;
    await form.refresh();
    editButton(form, id).click();
    await waitUntil(() => dialog(form)?.open, 'opens');
    expect(field(form, 'population').value).to.equal('1500');
    field(form, 'population').value = '1e4';
    button(dialog(form)!, 'Save').click();
    await waitUntil(() => !dialog(form), 'saved');
    expect(await master.get(id)).to.deep.equal({ name: 'Typedville', population: 10000 });
  });

  it('an unknown type is an error in place', async () => {
    const { form } = await setup('name,population:numbr');
    expect(root(form).querySelector('[role=alert]')!.textContent).to.equal("fields: unknown type 'numbr' for population (known: text, number) (400)");
  });
});
