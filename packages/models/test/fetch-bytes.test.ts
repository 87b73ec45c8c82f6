import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchBytes } from '../src/fetch-bytes.ts';

// A real server on loopback, misbehaving the ways a host or a network does.
describe('fetchBytes against a misbehaving server', () => {
  let origin = '';
  const server = createServer((req, res) => {
    const chunk = new Uint8Array(100).fill(7);
    if (req.url === '/stall') {
      // Headers, one chunk, then nothing.
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 1000 });
      res.write(chunk);
    } else if (req.url === '/silent') {
      // Not even headers.
    } else if (req.url === '/slow') {
      // Ten chunks, 60 ms apart: slow, but never quiet for long.
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 1000 });
      let sent = 0;
      const timer = setInterval(() => {
        res.write(chunk);
        if (++sent === 10) {
          clearInterval(timer);
          res.end();
        }
      }, 60);
    } else if (req.url === '/short') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 1000 });
      res.write(chunk);
      setTimeout(() => res.destroy(), 20);
    } else if (req.url === '/page') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><h1>Service unavailable</h1>');
    } else res.writeHead(404).end();
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('gives up on a download that stops sending, saying so', async () => {
    const seen: number[] = [];
    const t0 = performance.now();
    await expect(
      fetchBytes(`${origin}/stall`, (p) => seen.push(p.loaded), undefined, 300),
    ).rejects.toThrow(
      `could not download ${origin}/stall: the download stalled (no data for 300 ms)`,
    );
    expect(seen).toEqual([100]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('gives up on a server that never answers', async () => {
    await expect(fetchBytes(`${origin}/silent`, undefined, undefined, 300)).rejects.toThrow(
      /the download stalled/,
    );
  });

  it('lets a slow download whose bytes keep coming finish, past the stall time', async () => {
    const seen: number[] = [];
    const t0 = performance.now();
    const bytes = await fetchBytes(`${origin}/slow`, (p) => seen.push(p.loaded), undefined, 300);
    expect(bytes.length).toBe(1000);
    expect(seen).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(performance.now() - t0).toBeGreaterThan(300);
  });

  it('says when a download breaks off before its announced length', async () => {
    await expect(fetchBytes(`${origin}/short`)).rejects.toThrow(
      /broke off after 100 bytes|ended after 100 of 1000 bytes/,
    );
  });

  it('refuses a web page served in place of the file', async () => {
    await expect(fetchBytes(`${origin}/page`)).rejects.toThrow(
      'the server answered with a web page instead of the file',
    );
  });

  it('passes a caller’s abort on as an AbortError', async () => {
    const abort = new AbortController();
    const p = fetchBytes(`${origin}/stall`, undefined, abort.signal, 5000);
    setTimeout(() => abort.abort(), 50);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});
