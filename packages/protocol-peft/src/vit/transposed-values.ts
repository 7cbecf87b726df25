/** The row-major `[cols, rows]` transpose of the row-major `[rows, cols]` matrix `values`. */
export function transposedValues(values: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) out[col * rows + row] = values[row * cols + col];
  }
  return out;
}
