/**
 * The Grafana dashboard (deploy/grafana/dbmazz.json) and the alert rules
 * (deploy/prometheus/dbmazz-rules.yaml) against the metrics dbmazz really exports: every metric they
 * query is served by /metrics, with the labels they match, group and print; the rules file is the
 * one docs/operations.md documents; every dbmazz metric has a panel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { readExportedMetrics, type ExportedMetrics } from './exported-metrics.js';
import { exprRefs, templateLabels } from './promql.js';
import { repoFile } from './repo.js';
import { at, list, record, text, type Json } from './tree.js';

/** Labels every scraped series carries besides its own (added by Prometheus). */
const TARGET_LABELS = ['instance', 'job'];

let exported: Promise<ExportedMetrics> | undefined;
const metrics = (): Promise<ExportedMetrics> => (exported ??= readExportedMetrics());

/** Problems of one expression: unknown metrics, matchers or groupings on labels the metrics lack. */
function exprProblems(m: ExportedMetrics, expr: string, printed: readonly string[]): string[] {
  const problems: string[] = [];
  const refs = exprRefs(expr);
  const available = new Set(TARGET_LABELS);
  for (const s of refs.selectors) {
    if (m.familyOf(s.metric) === undefined) {
      problems.push(`${s.metric} is not exported`);
      continue;
    }
    const labels = m.labelsOf(s.metric);
    for (const l of labels) available.add(l);
    for (const l of s.labels) if (!labels.includes(l) && !TARGET_LABELS.includes(l)) problems.push(`${s.metric} has no label ${l}`);
  }
  for (const l of [...refs.groupingLabels, ...printed]) if (!available.has(l)) problems.push(`no metric of the expression has the label ${l}`);
  return problems;
}

// -- alert rules -------------------------------------------------------------------------------------

const rulesFile = parse(repoFile('deploy/prometheus/dbmazz-rules.yaml')) as Json;
const rules = list(at(rulesFile, 'groups'), 'groups').flatMap((g) => list(at(g, 'rules'), 'rules'));

test('the rules file holds exactly the alert rules docs/operations.md suggests', () => {
  const doc = repoFile('docs/operations.md');
  const section = doc.slice(doc.indexOf('### Alert suggestions'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block !== undefined, 'docs/operations.md has the rules block');
  assert.deepEqual(rulesFile, parse(block));
});

test('every alert names exported metrics with their labels, and prints labels they carry', async () => {
  const m = await metrics();
  assert.ok(rules.length > 0);
  const names = new Set<string>();
  for (const r of rules) {
    const alert = text(at(r, 'alert'), 'alert');
    assert.ok(!names.has(alert), `${alert} is defined once`);
    names.add(alert);
    assert.match(text(at(r, 'labels', 'severity'), `${alert} severity`), /^(critical|warning|info)$/);
    const annotations = Object.values(record(at(r, 'annotations') ?? {}, 'annotations')).map((a) => text(a, 'annotation'));
    const problems = exprProblems(m, text(at(r, 'expr'), `${alert} expr`), annotations.flatMap(templateLabels));
    assert.deepEqual(problems, [], `${alert}: ${text(at(r, 'expr'), 'expr')}`);
  }
});

// -- dashboard ----------------------------------------------------------------------------------------

const dashboard = JSON.parse(repoFile('deploy/grafana/dbmazz.json')) as Json;
const panels = list(at(dashboard, 'panels'), 'panels').flatMap((p) => [p, ...list(at(p, 'panels') ?? [], 'row panels')]);
const targets = panels.flatMap((p) => list(at(p, 'targets') ?? [], 'targets').map((t) => ({ panel: text(at(p, 'title'), 'title'), target: t })));
const variables = list(at(dashboard, 'templating', 'list'), 'templating');

test('the dashboard: unique panel ids, every query panel on the Prometheus data source variable', () => {
  const ids = panels.map((p) => at(p, 'id'));
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  const datasource = variables.find((v) => at(v, 'type') === 'datasource' && at(v, 'query') === 'prometheus');
  assert.ok(datasource, 'a Prometheus data source variable');
  const uid = `\${${text(at(datasource, 'name'), 'name')}}`;
  for (const p of panels.filter((x) => at(x, 'type') !== 'row')) {
    assert.ok(list(at(p, 'targets'), 'targets').length > 0, `${String(at(p, 'title'))} has queries`);
    assert.equal(at(p, 'datasource', 'uid'), uid, `${String(at(p, 'title'))} uses ${uid}`);
  }
  for (const v of variables) {
    const name = text(at(v, 'name'), 'name');
    const used = JSON.stringify(panels).includes(`$${name}`) || JSON.stringify(variables).includes(`\${${name}}`);
    assert.ok(used, `the variable ${name} is used`);
  }
});

test('every dashboard query names exported metrics with their labels, and its legend prints labels they carry', async () => {
  const m = await metrics();
  assert.ok(targets.length > 0);
  for (const { panel, target } of targets) {
    const expr = text(at(target, 'expr'), `${panel} expr`);
    const problems = exprProblems(m, expr, templateLabels(String(at(target, 'legendFormat') ?? '')));
    assert.deepEqual(problems, [], `${panel}: ${expr}`);
  }
  for (const v of variables.filter((x) => at(x, 'type') === 'query')) {
    const query = text(at(v, 'query', 'query'), 'variable query');
    const lv = /^label_values\(([^,]+),\s*([A-Za-z_]\w*)\)$/.exec(query);
    assert.ok(lv, `variable query ${query}`);
    assert.deepEqual(exprProblems(m, lv[1] ?? '', [lv[2] ?? '']), [], query);
  }
});

test('every dbmazz metric has a panel on the dashboard', async () => {
  const m = await metrics();
  const used = new Set<string>();
  for (const { target } of targets) {
    for (const s of exprRefs(text(at(target, 'expr'), 'expr')).selectors) {
      const f = m.familyOf(s.metric);
      if (f !== undefined) used.add(f.name);
    }
  }
  const missing = [...m.families.keys()].filter((n) => n.startsWith('dbmazz_') && !used.has(n));
  assert.deepEqual(missing, [], 'exported metrics without a panel');
});
