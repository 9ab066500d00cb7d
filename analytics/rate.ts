// The contract's rate shape: {value, numerator, denominator}, value null when nothing was counted.
export interface Rate {
  value: number | null;
  numerator: number;
  denominator: number;
}

export function rate(numerator: number, denominator: number): Rate {
  return { value: denominator === 0 ? null : numerator / denominator, numerator, denominator };
}
