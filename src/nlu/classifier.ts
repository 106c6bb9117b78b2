// Intent classifier: multinomial logistic regression over the sparse features of features.ts,
// with confidence calibrated by temperature scaling on held-out folds of the training data.
//
// Why not natural's own BayesClassifier / LogisticRegressionClassifier: both build a dense vector
// over the whole vocabulary for every message (tens of thousands of character n-grams here), and
// the Bayes one returns exp(sum of logs), which underflows to 0 for long messages, so its scores
// cannot be turned into a confidence.
import { extractFeatures, type FeatureVector } from './features.ts';

export interface TrainingExample {
  text: string;
  intent: string;
}

export interface Prediction {
  intent: string;
  /** Calibrated probability that `intent` is right, 0..1. */
  confidence: number;
  /** Every label with its probability, best first. */
  ranking: { intent: string; confidence: number }[];
}

export interface TrainOptions {
  epochs?: number;
  l2?: number;
  learningRate?: number;
  seed?: number;
  /** Folds used to fit the calibration temperature; 0 skips calibration (temperature 1). */
  calibrationFolds?: number;
}

export interface SerializedModel {
  format: 'cozum-softmax-v1';
  labels: string[];
  temperature: number;
  bias: number[];
  weights: Record<string, number[]>;
}

const DEFAULTS: Required<TrainOptions> = { epochs: 20, l2: 1e-5, learningRate: 0.5, seed: 7, calibrationFolds: 3 };

/** A small deterministic PRNG (mulberry32) so that the same data gives the same model. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function softmax(logits: number[], temperature = 1): number[] {
  const scaled = logits.map((value) => value / temperature);
  const max = Math.max(...scaled);
  const exps = scaled.map((value) => Math.exp(value - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / sum);
}

export class IntentClassifier {
  private constructor(
    readonly labels: string[],
    private readonly weights: Map<string, Float64Array>,
    private readonly bias: Float64Array,
    readonly temperature: number,
  ) {}

  static train(examples: TrainingExample[], options: TrainOptions = {}): IntentClassifier {
    const settings = { ...DEFAULTS, ...options };
    const labels = [...new Set(examples.map((example) => example.intent))].sort();
    const vectors = examples.map((example) => extractFeatures(example.text));
    const targets = examples.map((example) => labels.indexOf(example.intent));
    const { weights, bias } = fit(vectors, targets, labels.length, settings);
    const temperature = settings.calibrationFolds > 1 ? fitTemperature(vectors, targets, labels.length, settings) : 1;
    return new IntentClassifier(labels, weights, bias, temperature);
  }

  static fromJSON(model: SerializedModel): IntentClassifier {
    if (model.format !== 'cozum-softmax-v1') throw new Error(`Unknown model format: ${String(model.format)}`);
    const weights = new Map(Object.entries(model.weights).map(([feature, row]) => [feature, Float64Array.from(row)]));
    return new IntentClassifier(model.labels, weights, Float64Array.from(model.bias), model.temperature);
  }

  toJSON(): SerializedModel {
    const round = (value: number) => Math.round(value * 1e5) / 1e5;
    const weights: Record<string, number[]> = {};
    for (const [feature, row] of this.weights) {
      // Features whose weights all but vanished change no prediction: leave them out of the file.
      if (row.some((value) => Math.abs(value) >= 1e-4)) weights[feature] = Array.from(row, round);
    }
    return { format: 'cozum-softmax-v1', labels: this.labels, temperature: this.temperature, bias: Array.from(this.bias, round), weights };
  }

  predict(text: string): Prediction {
    const probabilities = softmax(logits(extractFeatures(text), this.weights, this.bias), this.temperature);
    const ranking = this.labels
      .map((intent, index) => ({ intent, confidence: probabilities[index]! }))
      .sort((a, b) => b.confidence - a.confidence);
    return { intent: ranking[0]!.intent, confidence: ranking[0]!.confidence, ranking };
  }
}

function logits(vector: FeatureVector, weights: Map<string, Float64Array>, bias: Float64Array): number[] {
  const scores = Float64Array.from(bias);
  const classes = scores.length;
  for (const [feature, value] of vector) {
    const row = weights.get(feature);
    if (!row) continue;
    for (let k = 0; k < classes; k++) scores[k]! += row[k]! * value;
  }
  return Array.from(scores);
}

/** Stochastic gradient descent with AdaGrad step sizes on the cross-entropy loss. */
function fit(vectors: FeatureVector[], targets: number[], classes: number, settings: Required<TrainOptions>) {
  const weights = new Map<string, Float64Array>();
  const squaredGradients = new Map<string, Float64Array>();
  const bias = new Float64Array(classes);
  const biasSquared = new Float64Array(classes).fill(1e-8);
  for (const vector of vectors) {
    for (const feature of vector.keys()) {
      if (!weights.has(feature)) {
        weights.set(feature, new Float64Array(classes));
        squaredGradients.set(feature, new Float64Array(classes).fill(1e-8));
      }
    }
  }
  const next = random(settings.seed);
  const order = vectors.map((_, index) => index);
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const index of order) {
      const vector = vectors[index]!;
      const probabilities = softmax(logits(vector, weights, bias));
      const gradient = probabilities.map((p, k) => p - (k === targets[index] ? 1 : 0));
      for (let k = 0; k < classes; k++) {
        biasSquared[k]! += gradient[k]! ** 2;
        bias[k]! -= (settings.learningRate * gradient[k]!) / Math.sqrt(biasSquared[k]!);
      }
      for (const [feature, value] of vector) {
        const row = weights.get(feature)!;
        const squared = squaredGradients.get(feature)!;
        for (let k = 0; k < classes; k++) {
          const g = gradient[k]! * value + settings.l2 * row[k]!;
          squared[k]! += g * g;
          row[k]! -= (settings.learningRate * g) / Math.sqrt(squared[k]!);
        }
      }
    }
  }
  return { weights, bias };
}

/**
 * The temperature that makes confidences honest: models trained on k-1 folds score the k-th, and
 * the temperature minimising the log-loss of those unseen predictions is kept.
 */
function fitTemperature(vectors: FeatureVector[], targets: number[], classes: number, settings: Required<TrainOptions>): number {
  const folds = settings.calibrationFolds;
  const heldOut: { scores: number[]; target: number }[] = [];
  for (let fold = 0; fold < folds; fold++) {
    const trainIdx = vectors.map((_, i) => i).filter((i) => i % folds !== fold);
    const testIdx = vectors.map((_, i) => i).filter((i) => i % folds === fold);
    const model = fit(trainIdx.map((i) => vectors[i]!), trainIdx.map((i) => targets[i]!), classes, settings);
    for (const i of testIdx) heldOut.push({ scores: logits(vectors[i]!, model.weights, model.bias), target: targets[i]! });
  }
  let best = { temperature: 1, loss: Infinity };
  for (let t = 0.2; t <= 5; t += 0.05) {
    const loss = heldOut.reduce((sum, { scores, target }) => sum - Math.log(softmax(scores, t)[target]! + 1e-12), 0);
    if (loss < best.loss) best = { temperature: Math.round(t * 100) / 100, loss };
  }
  return best.temperature;
}
