// Plays WhatsApp's media host for Baileys: serves copies encrypted as WhatsApp encrypts them
// (AES-256-CBC with keys derived from the message's media key, a 10-byte MAC after), at the URL a
// media message names; Baileys' own downloadContentFromMessage fetches and decrypts them.
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getMediaKeys, type MediaType } from '@whiskeysockets/baileys';

export class BaileysMediaHost {
  private server: Server | undefined;
  private url = '';
  private readonly files = new Map<string, Buffer>();

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      const name = /^\/v\/t62\/([\w-]+)\.enc$/.exec(request.url ?? '')?.[1];
      const body = name ? this.files.get(name) : undefined;
      if (!body) return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Encrypts `bytes` for `type`, serves the copy, and returns the media message's fields. */
  async upload(name: string, bytes: Buffer, type: MediaType): Promise<{ url: string; mediaKey: Buffer; fileLength: number }> {
    const mediaKey = randomBytes(32);
    const { iv, cipherKey, macKey } = await getMediaKeys(mediaKey, type);
    const cipher = createCipheriv('aes-256-cbc', cipherKey, iv);
    const enc = Buffer.concat([cipher.update(bytes), cipher.final()]);
    const mac = createHmac('sha256', macKey!).update(Buffer.concat([iv, enc])).digest().subarray(0, 10);
    this.files.set(name, Buffer.concat([enc, mac]));
    return { url: `${this.url}/v/t62/${name}.enc`, mediaKey, fileLength: bytes.length };
  }
}
