/** Runs up to `concurrency` tasks ahead and yields their results in index order. */
export async function* inOrder<T>(count: number, concurrency: number, start: (index: number) => Promise<T>): AsyncGenerator<T> {
  const pending: Promise<T>[] = [];
  let next = 0;
  const launch = (): void => {
    const task = start(next);
    next += 1;
    // Handled here so a failure that is not awaited yet is not reported as unhandled; awaiting it below still throws.
    task.catch(() => undefined);
    pending.push(task);
  };
  while (next < count && pending.length < Math.max(1, concurrency)) launch();
  while (pending.length > 0) {
    const value = await (pending.shift() as Promise<T>);
    if (next < count) launch();
    yield value;
  }
}
