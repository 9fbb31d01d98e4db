/**
 * The metric names and label names a PromQL expression (an alert rule, a Grafana query) refers to. A
 * small reader for the subset our artifacts use: selectors with label matchers, ranges, functions,
 * aggregations with by/without, vector matching with on/ignoring, binary operators and numbers.
 */

export interface Selector {
  readonly metric: string;
  /** Label names in the selector's matchers. */
  readonly labels: readonly string[];
}

export interface ExprRefs {
  readonly selectors: readonly Selector[];
  /** Label names of by / without / on / ignoring / group_left / group_right clauses. */
  readonly groupingLabels: readonly string[];
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'inf', 'nan']);
const GROUPING = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;
const SELECTOR = /([A-Za-z_:][A-Za-z0-9_:]*)?\s*\{([^}]*)\}/g;
const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"\s*$/;
const TOKEN = /[A-Za-z_:][A-Za-z0-9_:]*|\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi;

function names(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function exprRefs(expr: string): ExprRefs {
  const selectors: Selector[] = [];
  const groupingLabels: string[] = [];
  let rest = expr.replace(GROUPING, (_m, list: string) => {
    groupingLabels.push(...names(list));
    return ' ';
  });
  rest = rest.replace(SELECTOR, (_m, metric: string | undefined, body: string) => {
    if (metric === undefined) throw new Error(`a selector without a metric name in ${expr}`);
    const labels = body
      .split(',')
      .filter((m) => m.trim() !== '')
      .map((m) => {
        const found = MATCHER.exec(m);
        if (found?.[1] === undefined) throw new Error(`cannot read the matcher '${m}' in ${expr}`);
        return found[1];
      });
    selectors.push({ metric, labels });
    return ' ';
  });
  rest = rest.replace(/\[[^\]]*\]/g, ' ').replace(/\boffset\s+\S+/g, ' ');
  for (const m of rest.matchAll(TOKEN)) {
    const token = m[0];
    if (/^\d/.test(token) || KEYWORDS.has(token.toLowerCase())) continue;
    const after = rest.slice((m.index ?? 0) + token.length).trimStart();
    if (after.startsWith('(')) continue; // a function or an aggregation
    selectors.push({ metric: token, labels: [] });
  }
  return { selectors, groupingLabels };
}

/** `{{label}}` / `{{ $labels.label }}` references of a legend or an annotation. */
export function templateLabels(text: string): string[] {
  return [...text.matchAll(/\{\{\s*(?:\$labels\.)?([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1] ?? '');
}
