/**
 * Reads the simulator's fake audio back to the text it carries, by the containers' own framing
 * (ADTS for aac, ID3v2 + MPEG frames for mp3, Ogg pages for opus), written apart from the
 * simulator's encoder so a framing mistake on either side shows. Throws on anything out of frame.
 */
export function audioText(bytes: Buffer, format: 'aac' | 'mp3' | 'opus'): string {
  const payloads: Buffer[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (format === 'aac') {
      if (bytes[i] !== 0xff || (bytes[i + 1] & 0xf6) !== 0xf0) throw new Error(`no ADTS sync at ${i}`);
      const length = ((bytes[i + 3] & 0x03) << 11) | (bytes[i + 4] << 3) | (bytes[i + 5] >> 5);
      payloads.push(bytes.subarray(i + 7, i + length));
      i += length;
    } else if (format === 'mp3') {
      if (bytes.subarray(i, i + 3).toString('latin1') === 'ID3') {
        const size = (bytes[i + 6] << 21) | (bytes[i + 7] << 14) | (bytes[i + 8] << 7) | bytes[i + 9];
        i += 10 + size;
        continue;
      }
      if (bytes[i] !== 0xff || (bytes[i + 1] & 0xe0) !== 0xe0) throw new Error(`no MPEG frame sync at ${i}`);
      const length = bytes.readUInt16BE(i + 4);
      payloads.push(bytes.subarray(i + 6, i + 6 + length));
      i += 6 + length;
    } else {
      if (bytes.subarray(i, i + 4).toString('latin1') !== 'OggS') throw new Error(`no Ogg page at ${i}`);
      const segments = bytes[i + 26];
      let size = 0;
      for (let s = 0; s < segments; s++) size += bytes[i + 27 + s];
      const body = bytes.subarray(i + 27 + segments, i + 27 + segments + size);
      const kind = body.subarray(0, 8).toString('latin1');
      if (kind !== 'OpusHead' && kind !== 'OpusTags') payloads.push(body);
      i += 27 + segments + size;
    }
  }
  if (i !== bytes.length) throw new Error('the last frame runs past the end of the audio');
  return Buffer.concat(payloads).toString('utf8');
}
