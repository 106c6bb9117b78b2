// Platforms cap the length of one message (Telegram 4096, WhatsApp 4096 characters). A longer
// answer goes out as several messages, cut between lines so that no list item or sentence is
// torn apart; only a single line longer than the limit is cut inside, at a space when possible.

/** Splits `text` into pieces of at most `limit` UTF-16 units, preferring line boundaries. */
export function splitText(text: string, limit: number): string[] {
  if (limit < 2) throw new Error('splitText: limit must be at least 2');
  if (text.length <= limit) return [text];
  const pieces: string[] = [];
  let current = '';
  const flush = () => {
    const trimmed = current.replace(/\s+$/, '');
    if (trimmed !== '') pieces.push(trimmed);
    current = '';
  };
  for (const line of text.split('\n')) {
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (candidate.length <= limit) {
      current = candidate;
      continue;
    }
    flush();
    let rest = line;
    while (rest.length > limit) {
      let cut = rest.lastIndexOf(' ', limit);
      if (cut < limit / 2) cut = limit;
      // Never cut a surrogate pair (an emoji) in half.
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
      pieces.push(rest.slice(0, cut).replace(/\s+$/, ''));
      rest = rest.slice(cut).replace(/^ +/, '');
    }
    current = rest;
  }
  flush();
  return pieces.length > 0 ? pieces : [''];
}
