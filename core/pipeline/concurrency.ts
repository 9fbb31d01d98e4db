/**
 * Runs `fn` over `tasks` with at most `limit` running at once. The first failure stops new tasks from
 * starting and rejects (tasks already running keep their own course; the caller aborts them).
 */
export async function runLimited<T>(tasks: readonly T[], limit: number, fn: (task: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < tasks.length) {
      const task = tasks[next++] as T;
      try {
        await fn(task);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.max(1, Math.min(limit, tasks.length)); i++) workers.push(worker());
  await Promise.all(workers);
}
