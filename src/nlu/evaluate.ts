// Scores a classifier on labelled messages: accuracy, macro-F1, per-intent F1 and the pairs it
// confuses most. Used by `npm run nlu:eval` and the tests.

export interface Scored {
  text: string;
  gold: string;
  predicted: string;
}

export interface IntentScore {
  intent: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Evaluation {
  count: number;
  accuracy: number;
  macroF1: number;
  perIntent: IntentScore[];
  confusions: { gold: string; predicted: string; count: number; examples: string[] }[];
}

export function evaluate(rows: Scored[]): Evaluation {
  const labels = [...new Set(rows.flatMap((row) => [row.gold]))].sort();
  const perIntent = labels.map((intent) => {
    const truePositive = rows.filter((r) => r.gold === intent && r.predicted === intent).length;
    const predicted = rows.filter((r) => r.predicted === intent).length;
    const support = rows.filter((r) => r.gold === intent).length;
    const precision = predicted === 0 ? 0 : truePositive / predicted;
    const recall = support === 0 ? 0 : truePositive / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { intent, precision, recall, f1, support };
  });
  const pairs = new Map<string, { gold: string; predicted: string; count: number; examples: string[] }>();
  for (const row of rows) {
    if (row.gold === row.predicted) continue;
    const key = `${row.gold}→${row.predicted}`;
    const pair = pairs.get(key) ?? { gold: row.gold, predicted: row.predicted, count: 0, examples: [] };
    pair.count++;
    pair.examples.push(row.text);
    pairs.set(key, pair);
  }
  return {
    count: rows.length,
    accuracy: rows.length === 0 ? 0 : rows.filter((r) => r.gold === r.predicted).length / rows.length,
    macroF1: perIntent.length === 0 ? 0 : perIntent.reduce((sum, s) => sum + s.f1, 0) / perIntent.length,
    perIntent,
    confusions: [...pairs.values()].sort((a, b) => b.count - a.count),
  };
}

/** Messages typed without any Turkish letter: the slice the targets single out. */
export function hasNoTurkishLetters(text: string): boolean {
  return !/[çğıöşüÇĞİÖŞÜ]/.test(text);
}
