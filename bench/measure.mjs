// Shared by the benchmarks: time and peak memory of one phase, measured the same way everywhere.

export const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Runs `work`, sampling RSS every 20 ms (work must yield now and then), and prints `label: seconds, peak RSS`. */
export async function measure(label, work) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = performance.now();
  const result = await work();
  const seconds = (performance.now() - start) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(`${label}: ${seconds.toFixed(2)} s, peak RSS ${mib(peak)}`);
  return { seconds, peak, result };
}
