// A real, seekable WebM video made in a browser page for the Service Worker path's seek test:
// frames of moving noise (so they stay large at a high bitrate) encoded to VP8 by WebCodecs'
// VideoEncoder, muxed here into Matroska/WebM with a SeekHead, a Duration and Cues (what a media
// element needs to seek without reading the file up to the target). Element IDs and layout:
// the Matroska specification (RFC 9559) and the WebM byte stream format.

/**
 * Runs in the page (self-contained, passed as source): resolves with a `video/webm` Blob of at
 * least `minBytes`, `width`×`height`, `fps` frames per second, a keyframe and a Cluster every
 * `fps` frames, and its `duration` in seconds as a property.
 * @param {{ minBytes: number, width: number, height: number, fps: number, bitrate: number }} o
 */
export async function makeWebm(o) {
  const enc = new TextEncoder();
  const concat = (parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };
  const uint = (v, len) => { const b = new Uint8Array(len); for (let i = len - 1; i >= 0; i--) { b[i] = v % 256; v = Math.floor(v / 256); } return b; };
  const uintMin = (v) => { let len = 1; while (v >= 2 ** (8 * len)) len++; return uint(v, len); };
  const size = (n) => { const b = uint(n, 8); b[0] = 0x01; return b; }; // 8-byte EBML size
  const id = (hex) => Uint8Array.from(hex.match(/../g), (h) => parseInt(h, 16));
  const el = (hex, ...payload) => { const body = concat(payload); return concat([id(hex), size(body.length), body]); };
  const num = (hex, v) => el(hex, uintMin(v));
  const str = (hex, s) => el(hex, enc.encode(s));
  const f64 = (hex, v) => { const b = new Uint8Array(8); new DataView(b.buffer).setFloat64(0, v); return el(hex, b); };

  // Frames: noise shifted each frame, encoded to VP8.
  const noise = Object.assign(document.createElement('canvas'), { width: o.width * 2, height: o.height * 2 });
  const ng = noise.getContext('2d');
  const img = ng.createImageData(noise.width, noise.height);
  for (let i = 0; i < img.data.length; i += 65536) crypto.getRandomValues(img.data.subarray(i, i + 65536));
  ng.putImageData(img, 0, 0);
  const canvas = Object.assign(document.createElement('canvas'), { width: o.width, height: o.height });
  const g = canvas.getContext('2d');
  const chunks = [];
  let total = 0;
  let failed = null;
  const encoder = new VideoEncoder({
    output: (chunk) => {
      const data = new Uint8Array(chunk.byteLength);
      chunk.copyTo(data);
      chunks.push({ key: chunk.type === 'key', ms: Math.round(chunk.timestamp / 1000), data });
      total += data.length;
    },
    error: (e) => { failed = e; },
  });
  encoder.configure({ codec: 'vp8', width: o.width, height: o.height, bitrate: o.bitrate, framerate: o.fps, latencyMode: 'quality' });
  for (let n = 0; total < o.minBytes; n++) {
    if (failed) throw failed;
    g.drawImage(noise, -((n * 37) % o.width), -((n * 61) % o.height));
    g.fillStyle = 'white';
    g.font = '32px sans-serif';
    g.fillText(String(n), 10, 40);
    const frame = new VideoFrame(canvas, { timestamp: Math.round((n * 1e6) / o.fps) });
    encoder.encode(frame, { keyFrame: n % o.fps === 0 });
    frame.close();
    if (encoder.encodeQueueSize > 4 || n % o.fps === o.fps - 1) await encoder.flush();
  }
  await encoder.flush();
  encoder.close();
  const durationMs = chunks.length * (1000 / o.fps);

  // Clusters: one per keyframe.
  const clusters = [];
  for (const c of chunks) {
    if (c.key || clusters.length === 0) clusters.push({ ms: c.ms, blocks: [] });
    const cluster = clusters[clusters.length - 1];
    const header = new Uint8Array(4);
    header[0] = 0x81; // track 1
    new DataView(header.buffer).setInt16(1, c.ms - cluster.ms);
    header[3] = c.key ? 0x80 : 0;
    cluster.blocks.push(el('A3', header, c.data));
  }
  const clusterBytes = clusters.map((c) => el('1F43B675', num('E7', c.ms), ...c.blocks));

  const info = el('1549A966', num('2AD7B1', 1000000), f64('4489', durationMs), str('4D80', 'rtc-gadgets test'), str('5741', 'rtc-gadgets test'));
  const tracks = el('1654AE6B', el('AE', num('D7', 1), num('73C5', 1), num('83', 1), str('86', 'V_VP8'),
    el('E0', num('B0', o.width), num('BA', o.height))));
  const seek = (hex, pos) => el('4DBB', el('53AB', id(hex)), el('53AC', uint(pos, 8)));
  const seekHeadSize = el('114D9B74', seek('1549A966', 0), seek('1654AE6B', 0), seek('1C53BB6B', 0)).length;
  const infoAt = seekHeadSize;
  const tracksAt = infoAt + info.length;
  let at = tracksAt + tracks.length;
  const cuePoints = [];
  clusters.forEach((c, i) => {
    cuePoints.push(el('BB', num('B3', c.ms), el('B7', num('F7', 1), num('F1', at))));
    at += clusterBytes[i].length;
  });
  const cues = el('1C53BB6B', ...cuePoints);
  const seekHead = el('114D9B74', seek('1549A966', infoAt), seek('1654AE6B', tracksAt), seek('1C53BB6B', at));
  const ebml = el('1A45DFA3', num('4286', 1), num('42F7', 1), num('42F2', 4), num('42F3', 8), str('4282', 'webm'), num('4287', 2), num('4285', 2));
  const segmentSize = at + cues.length;
  const blob = new Blob([ebml, id('18538067'), size(segmentSize), seekHead, info, tracks, ...clusterBytes, cues], { type: 'video/webm' });
  return Object.assign(blob, { duration: durationMs / 1000 });
}
