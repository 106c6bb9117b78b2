// A JSON object kept in a text column (Ticket.data, Message.payload), read leniently: a row written
// by an older version, or damaged, reads as an empty object instead of failing the page that shows it.
export function parseJsonObject(raw: string): Record<string, unknown> {
  try {
    const value = JSON.parse(raw) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
