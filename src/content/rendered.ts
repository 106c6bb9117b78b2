// Every text the content layer hands out passes through `rendered`. Production keeps no listener;
// the conversation suite listens, and fails a reply that holds words no content file produced.
type Listener = (text: string) => void;
let listener: Listener | undefined;

/** Starts recording the texts content produces; returns the function that stops it. */
export function listenToRenderedTexts(record: Listener): () => void {
  listener = record;
  return () => {
    if (listener === record) listener = undefined;
  };
}

export function rendered<T extends string>(text: T): T {
  listener?.(text);
  return text;
}

/**
 * Records every string inside a loaded content file (labels, prompts, synonyms read as they are),
 * but an intent's training examples: the NLU reads them, the citizen never does.
 */
export function renderedStrings(value: unknown): void {
  if (!listener) return;
  if (typeof value === 'string') listener(value);
  else if (Array.isArray(value)) value.forEach(renderedStrings);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) if (key !== 'examples') renderedStrings(inner);
  }
}
