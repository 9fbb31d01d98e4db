/**
 * The benchmark's table and workload, as SQL (pure). Every transaction has 100 changes: 70 inserts of
 * fresh ids, 20 updates and 10 deletes of rows the previous transaction inserted. Transaction t inserts
 * ids (t+1)*70+1 … (t+1)*70+70; the seed (transaction -1, written before the slots exist) inserts 1 … 70.
 * The 70th insert of a transaction is never updated or deleted: it is the probe whose arrival in the
 * sink marks the transaction visible.
 */

export const TABLE = 'bench_events';
export const CHANGES_PER_TXN = 100;
const INSERTS = 70;

export const CREATE_TABLE = `CREATE TABLE public.${TABLE} (
  id bigint PRIMARY KEY,
  amount numeric(18,4) NOT NULL,
  note text NOT NULL,
  created_at timestamptz NOT NULL,
  payload jsonb NOT NULL,
  active boolean NOT NULL,
  qty integer NOT NULL,
  score double precision NOT NULL
)`;

function insertRows(from: string, to: string): string {
  return `INSERT INTO public.${TABLE} SELECT g, (g * 1.2345)::numeric(18,4), 'note ' || g, now(), jsonb_build_object('k', g, 's', 'v' || (g % 97)), g % 2 = 0, (g % 1000)::int, g / 7.0
FROM generate_series(${from}, ${to}) AS g`;
}

function changeStatements(t: string): string[] {
  const base = `((${t}) + 1) * ${INSERTS}`;
  const prev = `(${t}) * ${INSERTS}`;
  return [
    insertRows(`${base} + 1`, `${base} + ${INSERTS}`),
    `UPDATE public.${TABLE} SET amount = amount + 1, note = note || '+', payload = payload || '{"u":1}', active = NOT active WHERE id BETWEEN ${prev} + 21 AND ${prev} + 40`,
    `DELETE FROM public.${TABLE} WHERE id BETWEEN ${prev} + 41 AND ${prev} + 50`,
  ];
}

/** SQL condition excluding the seed rows no replicated change touches (ids 1-20 and 51-70). */
export const UNTOUCHED_SEED = `NOT (id BETWEEN 1 AND 20 OR id BETWEEN 51 AND ${INSERTS})`;

/** The seed rows the first transaction updates and deletes (run before the slots exist). */
export const SEED = insertRows('1', String(INSERTS));

/** One DO block writing transactions first … first+count-1, each committed (generated server-side). */
export function backlogSql(first: number, count: number): string {
  return `DO $$
BEGIN
  FOR t IN ${first}..${first + count - 1} LOOP
    ${changeStatements('t').join(';\n    ')};
    COMMIT;
  END LOOP;
END $$`;
}

/** One transaction t as a single simple-query string. */
export function transactionSql(t: number): string {
  return `BEGIN; ${changeStatements(String(t)).join('; ')}; COMMIT`;
}

/** The id whose arrival in the sink shows transaction t is visible. */
export function probeId(t: number): bigint {
  return BigInt((t + 1) * INSERTS + INSERTS);
}
