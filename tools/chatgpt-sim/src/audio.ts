// Fake audio for the synthesize endpoint, written from scratch: real container framing (ADTS for
// aac, MPEG audio frames after an ID3v2 tag for mp3, Ogg pages with an Opus head for opus) whose
// payload is the spoken text itself, in order. A test can check the format by its magic bytes and
// read the text back to see that every piece arrived, once, in order.

export type SimAudioFormat = 'aac' | 'mp3' | 'opus';

export const AUDIO_CONTENT_TYPES: Record<SimAudioFormat, string> = {
  aac: 'audio/aac',
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
};

// ADTS, MPEG-4 AAC LC, 48 kHz, mono, no CRC: a 7-byte header whose 13-bit length covers the frame.
function adtsFrame(payload: Buffer): Buffer {
  const length = payload.length + 7;
  const header = Buffer.from([
    0xff,
    0xf1,
    (1 << 6) | (3 << 2),
    (1 << 6) | ((length >> 11) & 0x03),
    (length >> 3) & 0xff,
    ((length & 0x07) << 5) | 0x1f,
    0xfc,
  ]);
  return Buffer.concat([header, payload]);
}

// MPEG-1 Layer III frame sync (FF FB, 128 kbps, 44.1 kHz, mono), then a 2-byte length and the payload.
function mp3Frame(payload: Buffer): Buffer {
  const header = Buffer.from([0xff, 0xfb, 0x90, 0xc4, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, payload]);
}

// An empty ID3v2.4 tag, as encoders put before the first frame.
const ID3_HEADER = Buffer.from([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);

// Ogg's CRC-32: polynomial 0x04C11DB7, no reflection, initial value 0, no final xor.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function oggCrc(data: Buffer): number {
  let crc = 0;
  for (const byte of data) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]) >>> 0;
  return crc;
}

const OGG_SERIAL = 0x5349_4d21;

function oggPage(payload: Buffer, sequence: number, flags: number, granule: number): Buffer {
  // Payloads here are at most 255 bytes: one lacing value, plus a 0 when it is exactly 255.
  const lacing = payload.length === 255 ? [255, 0] : [payload.length];
  const header = Buffer.alloc(27 + lacing.length);
  header.write('OggS', 0, 'latin1');
  header[4] = 0;
  header[5] = flags;
  header.writeBigUInt64LE(BigInt(granule), 6);
  header.writeUInt32LE(OGG_SERIAL, 14);
  header.writeUInt32LE(sequence, 18);
  header.writeUInt32LE(0, 22);
  header[26] = lacing.length;
  lacing.forEach((v, i) => (header[27 + i] = v));
  const page = Buffer.concat([header, payload]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

function opusHead(): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(312, 10); // pre-skip
  head.writeUInt32LE(48000, 12); // input sample rate
  head.writeInt16LE(0, 16); // output gain
  head[18] = 0; // mapping family
  return head;
}

function opusTags(): Buffer {
  const vendor = Buffer.from('chatgpt-sim', 'utf8');
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write('OpusTags', 0, 'latin1');
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  tags.writeUInt32LE(0, 12 + vendor.length);
  return tags;
}

/** Bytes of text per audio packet: small, so even a short sentence arrives as several packets. */
export const TEXT_BYTES_PER_PACKET = 48;

/** The whole clip for a text, as the packets a streaming encoder would write one after another. */
export function audioPackets(text: string, format: SimAudioFormat): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const payloads: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += TEXT_BYTES_PER_PACKET) payloads.push(bytes.subarray(i, i + TEXT_BYTES_PER_PACKET));
  switch (format) {
    case 'aac':
      return payloads.map(adtsFrame);
    case 'mp3':
      return payloads.length ? [Buffer.concat([ID3_HEADER, mp3Frame(payloads[0])]), ...payloads.slice(1).map(mp3Frame)] : [ID3_HEADER];
    case 'opus': {
      const pages = [oggPage(opusHead(), 0, 0x02, 0), oggPage(opusTags(), 1, 0, 0)];
      payloads.forEach((p, i) => pages.push(oggPage(p, i + 2, i === payloads.length - 1 ? 0x04 : 0, (i + 1) * 960)));
      return [Buffer.concat(pages.slice(0, 2)), ...pages.slice(2)];
    }
  }
}
