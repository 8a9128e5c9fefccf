// A hostile slave's page, without any of the project's code: it speaks the documented protocol
// (docs/protocol.md sections 1, 2, 4, 5 and 7) with a plain WebSocket and RTCPeerConnection, and
// then sends whatever the test asks. Loaded by test/e2e/hostile-slave.test.js and
// bench/sections/hostile.js into a page of their own; everything is on `window.H`.
(() => {
  const conns = [];
  const now = () => performance.now();

  /** Joins `room` as a slave, offers a negotiated channel (id 0), trickles, and waits for it to open. */
  async function connect(signal, room) {
    const ws = new WebSocket(signal);
    const frames = [];
    let wake = null;
    ws.onmessage = (e) => {
      frames.push(JSON.parse(e.data));
      wake?.();
    };
    const frame = async (pred, ms, what) => {
      const end = now() + ms;
      for (;;) {
        const i = frames.findIndex(pred);
        if (i >= 0) return frames.splice(i, 1)[0];
        if (now() > end) throw new Error(`raw slave: no ${what} within ${ms} ms`);
        await new Promise((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
    };
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error('raw slave: WebSocket failed'));
    });
    ws.send(JSON.stringify({ v: 1, type: 'join', room, role: 'slave' }));
    const joined = await frame((m) => m.type === 'joined', 5000, 'joined');
    if (!joined.master) await frame((m) => m.type === 'master' && m.present, 10000, 'master');
    const pc = new RTCPeerConnection({ iceServers: [] });
    const ch = pc.createDataChannel('rtc-gadgets', { negotiated: true, id: 0, ordered: true });
    ch.binaryType = 'arraybuffer';
    const conn = { pc, ch, ws, inbox: [], openAt: 0, closedAt: 0, wake: null };
    ch.onmessage = (e) => {
      let m;
      if (typeof e.data !== 'string') m = { binary: e.data.byteLength };
      else {
        try {
          m = JSON.parse(e.data);
        } catch {
          m = { unparsable: e.data.slice(0, 100) };
        }
      }
      for (const one of Array.isArray(m) ? m : [m]) conn.inbox.push({ at: now(), m: one });
      conn.wake?.();
    };
    ch.onclose = () => {
      conn.closedAt = now();
      conn.wake?.();
    };
    pc.onicecandidate = (e) => {
      if (e.candidate) ws.send(JSON.stringify({ v: 1, type: 'candidate', candidate: e.candidate.toJSON() }));
    };
    await pc.setLocalDescription(await pc.createOffer());
    ws.send(JSON.stringify({ v: 1, type: 'offer', sdp: pc.localDescription.sdp }));
    const answer = await frame((m) => m.type === 'answer', 10000, 'answer');
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    for (const c of frames.filter((m) => m.type === 'candidate')) await pc.addIceCandidate(c.candidate).catch(() => {});
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'candidate') pc.addIceCandidate(m.candidate).catch(() => {});
    };
    await new Promise((resolve, reject) => {
      if (ch.readyState === 'open') resolve();
      ch.onopen = resolve;
      setTimeout(() => reject(new Error('raw slave: channel did not open')), 10000);
    });
    conn.openAt = now();
    conns.push(conn);
    return conns.length - 1;
  }

  /** The next inbox entry matching `pred` (removed), or null after `ms`. */
  async function next(i, pred = () => true, ms = 5000) {
    const conn = conns[i];
    const end = now() + ms;
    for (;;) {
      const k = conn.inbox.findIndex((x) => pred(x.m));
      if (k >= 0) return conn.inbox.splice(k, 1)[0];
      if (now() > end || (conn.closedAt && now() > conn.closedAt + 200)) return null;
      await new Promise((r) => {
        conn.wake = r;
        setTimeout(r, 20);
      });
    }
  }

  /** `sha-256 AB:…` of an SDP (as docs/protocol.md section 4 binds it). */
  function fingerprint(sdp) {
    const line = sdp.split(/\r?\n/).find((l) => l.startsWith('a=fingerprint:'));
    const [alg, hex] = line.slice('a=fingerprint:'.length).trim().split(/\s+/);
    return `${alg.toLowerCase()} ${hex.toUpperCase()}`;
  }

  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

  /** The slave's proof mac for this connection: HMAC-SHA256(secret, "rtc-gadgets/1 slave\n" + nonce + "\n" + F). */
  async function mac(i, secret, nonce) {
    const { pc } = conns[i];
    const f = `${fingerprint(pc.remoteDescription.sdp)}\n${fingerprint(pc.localDescription.sdp)}`;
    const enc = new TextEncoder();
    const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return hex(await crypto.subtle.sign('HMAC', key, enc.encode(`rtc-gadgets/1 slave\n${nonce}\n${f}`)));
  }

  /** Sends a text message, or the bytes of `{ bytes: [...] }` as a binary one. */
  function send(i, data) {
    const { ch } = conns[i];
    if (typeof data === 'string') ch.send(data);
    else ch.send(new Uint8Array(data.bytes).buffer);
  }

  let nextMessage = 1;
  /** Sends `message` as JSON cut into binary frames of 64 KiB (docs/protocol.md section 7), as a large request goes. */
  function sendLarge(i, message) {
    const bytes = new TextEncoder().encode(JSON.stringify(message));
    const number = nextMessage++;
    for (let at = 0; at < bytes.length; at += 65536) {
      const part = bytes.subarray(at, at + 65536);
      const frame = new Uint8Array(8 + part.length);
      const view = new DataView(frame.buffer);
      view.setUint8(0, 1);
      view.setUint8(1, at + 65536 >= bytes.length ? 2 : 1);
      view.setUint32(2, number);
      frame.set(part, 8);
      conns[i].ch.send(frame.buffer);
    }
  }

  /** Sends `n` binary messages of `size` bytes as fast as the channel takes them. @returns how many went out. */
  async function blast(i, n, size) {
    const { ch } = conns[i];
    const one = new Uint8Array(size).fill(7).buffer;
    let sent = 0;
    try {
      while (sent < n && ch.readyState === 'open') {
        if (ch.bufferedAmount > 8 * 1024 * 1024) {
          await new Promise((r) => setTimeout(r, 1));
          continue;
        }
        ch.send(one);
        sent++;
      }
    } catch {
      // closed under us
    }
    return sent;
  }

  /** Connects to `room`, answers the hello with a correct proof, waits for the welcome. @returns the connection's index. */
  async function admitted(signal, room, secret) {
    const i = await connect(signal, room);
    const hello = await next(i, (m) => m.type === 'hello', 40000);
    if (!hello) throw new Error('raw slave: no hello');
    send(i, JSON.stringify({ v: 1, type: 'proof', mac: await mac(i, secret, hello.m.nonce), nonce: 'ab'.repeat(32) }));
    const welcome = await next(i, (m) => m.type === 'welcome' || m.type === 'error', 10000);
    if (welcome?.m.type !== 'welcome') throw new Error(`raw slave: not admitted: ${JSON.stringify(welcome?.m)}`);
    return i;
  }

  const request = (id, method, args) => ({ v: 1, type: 'request', id, method, args });
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  /**
   * A persistent attacker for `ms`: `'garbage'` sends unparsable messages until it is disconnected,
   * then joins again; `'requests'` keeps 4,000 pipelined gets of `ids` in flight; `'query'` keeps
   * two `allDocs` with a 350-term OR (under the 8 KiB limit) running. @returns what it did.
   */
  async function attack(kind, { signal, room, secret, ms, ids }) {
    const end = now() + ms;
    const done = { joins: 0, sent: 0, answers: 0, refused: 0 };
    const query = Array.from({ length: 350 }, (_, k) => `title:"%zz${k}%"`).join(' OR ');
    while (now() < end) {
      const i = await admitted(signal, room, secret);
      done.joins++;
      const conn = conns[i];
      let id = 0;
      while (now() < end && !conn.closedAt && conn.ch.readyState === 'open') {
        if (kind === 'garbage') {
          for (let k = 0; k < 100; k++) conn.ch.send(`garbage ${done.sent++}`);
          await sleep(1);
          continue;
        }
        const batch = kind === 'requests' ? 4000 : 2; // within the 4,096 in flight: a flood that is never refused
        const first = id + 1;
        const all = [];
        for (let k = 0; k < batch; k++) all.push(kind === 'requests' ? request(++id, 'get', [ids[id % ids.length]]) : request(++id, 'allDocs', [{ query }]));
        for (let k = 0; k < all.length; k += 500) conn.ch.send(JSON.stringify(all.slice(k, k + 500)));
        done.sent += batch;
        // Until every one of this batch is answered (or the time is up).
        let left = batch;
        while (left > 0 && now() < end && !conn.closedAt) {
          const x = await next(i, (m) => typeof m.id === 'number' && m.id >= first, 200);
          if (!x) continue;
          left--;
          if (x.m.type === 'response') done.answers++;
          else done.refused++;
        }
        conn.inbox.length = 0;
      }
      close(i);
    }
    return done;
  }

  function close(i) {
    conns[i].ch.close();
    conns[i].pc.close();
    conns[i].ws.close();
  }

  const info = (i) => ({ openAt: conns[i].openAt, closedAt: conns[i].closedAt, inbox: conns[i].inbox.length });

  window.H = { connect, admitted, attack, next, mac, send, sendLarge, blast, close, info, inbox: (i) => conns[i].inbox.map((x) => x.m), now };
})();
