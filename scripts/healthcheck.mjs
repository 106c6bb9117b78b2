// The container's health check: exit 0 when /readyz answers 200 (Dockerfile HEALTHCHECK).
// Node's own fetch, so the image needs no curl.
const port = process.env.PORT || '3000';
const url = `http://127.0.0.1:${port}/readyz`;
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  if (response.ok) process.exit(0);
  console.error(`${url}: ${response.status} ${await response.text()}`);
} catch (error) {
  console.error(`${url}: ${error.message}`);
}
process.exit(1);
