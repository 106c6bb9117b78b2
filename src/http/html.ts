// Text placed into server-rendered HTML (the municipality's name, a QR page's state).
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
