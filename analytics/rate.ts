// The contract's rate shape: {value, numerator, denominator}, value null when nothing was counted.
// A type alias rather than an interface, so a Rate is also a plain JSON value (alert details).
export type Rate = {
  value: number | null;
  numerator: number;
  denominator: number;
};

export function rate(numerator: number, denominator: number): Rate {
  return { value: denominator === 0 ? null : numerator / denominator, numerator, denominator };
}
