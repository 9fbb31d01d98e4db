(function () {
  'use strict';
  var KEEP_MS = 600000;
  var TOKEN_KEY = 'dbmazz-dashboard-token';
  var SVGNS = 'http://www.w3.org/2000/svg';
  var st = { samples: [], lastT: 0, windowMs: 300000, status: null, busy: false, timer: 0, failures: 0 };

  function $(id) {
    return document.getElementById(id);
  }
  function setText(id, text) {
    var e = $(id);
    if (e && e.textContent !== text) e.textContent = text;
  }
  function fmtInt(n) {
    return Math.round(n).toLocaleString('en-US');
  }
  function fmtRate(n) {
    return n >= 100 ? fmtInt(n) : (Math.round(n * 10) / 10).toLocaleString('en-US');
  }
  function fmtBytes(n) {
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) {
      n /= 1024;
      i++;
    }
    return (i === 0 ? String(Math.round(n)) : n.toFixed(n >= 100 ? 0 : 1).replace(/\.0$/, '')) + ' ' + units[i];
  }
  function fmtAge(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + ' s';
    var m = Math.floor(s / 60);
    if (m < 60) return m + ' min ' + (s % 60) + ' s';
    return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
  }
  function fmtMinSec(ms) {
    var s = Math.round(ms / 1000);
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }
  function fmtClock(t) {
    return new Date(t).toLocaleTimeString('en-GB');
  }
  function niceMax(v) {
    if (!(v > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log(v) / Math.LN10));
    var m = v / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }
  /** Byte axes step in KiB/MiB/GiB, so the labels are round numbers. */
  function niceBytes(v) {
    if (!(v > 0)) return 1024;
    var unit = Math.pow(1024, Math.max(0, Math.floor(Math.log(v) / Math.log(1024))));
    return niceMax(v / unit) * unit;
  }
  function svg(name, attrs, text) {
    var e = document.createElementNS(SVGNS, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // -- Charts -------------------------------------------------------------------------------------
  var CHARTS = [
    {
      id: 'chart-throughput',
      fmt: fmtRate,
      series: [
        {
          name: 'events/s',
          value: function (p) {
            return p.eventsPerSecond;
          },
        },
        {
          name: 'rows loaded/s',
          value: function (p) {
            return p.rowsPerSecond;
          },
        },
      ],
    },
    {
      id: 'chart-lag-bytes',
      fmt: fmtBytes,
      nice: niceBytes,
      series: [
        {
          name: 'lag bytes',
          value: function (p) {
            return p.lagBytes;
          },
        },
      ],
    },
    {
      id: 'chart-lag-events',
      fmt: fmtInt,
      series: [
        {
          name: 'pending events',
          value: function (p) {
            return p.lagEvents;
          },
        },
      ],
    },
    {
      id: 'chart-memory',
      fmt: fmtBytes,
      nice: niceBytes,
      series: [
        {
          name: 'RSS',
          value: function (p) {
            return p.rssBytes;
          },
        },
      ],
    },
  ];

  function drawChart(chart, now) {
    var el = $(chart.id);
    if (!el) return;
    var W = Math.max(300, Math.round(el.getBoundingClientRect().width) || 600),
      H = 180,
      L = 62,
      R = 10,
      T = 10,
      B = 22;
    // A young daemon has less history than the window: stretch what there is (at least one minute).
    var span = st.samples.length === 0 ? st.windowMs : Math.min(st.windowMs, Math.max(60000, now - st.samples[0].t));
    var from = now - span;
    var shown = st.samples.filter(function (p) {
      return p.t >= from;
    });
    var max = 0;
    chart.series.forEach(function (s) {
      shown.forEach(function (p) {
        max = Math.max(max, s.value(p));
      });
    });
    max = (chart.nice || niceMax)(max * 1.05);
    var x = function (t) {
      return L + ((t - from) / span) * (W - L - R);
    };
    var y = function (v) {
      return T + (1 - v / max) * (H - T - B);
    };
    while (el.firstChild) el.removeChild(el.firstChild);
    el.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    el.setAttribute('preserveAspectRatio', 'none');
    for (var i = 0; i <= 4; i++) {
      var v = (max * i) / 4,
        yy = y(v);
      el.appendChild(svg('line', { x1: L, x2: W - R, y1: yy, y2: yy, class: 'grid' }));
      el.appendChild(svg('text', { x: L - 6, y: yy + 4, class: 'axis ylabel' }, chart.fmt(v)));
    }
    for (var k = 0; k <= 4; k++) {
      var ago = span - (k * span) / 4;
      el.appendChild(
        svg('text', { x: x(from + (k * span) / 4), y: H - 5, class: 'axis xlabel' + (k === 0 ? ' first' : '') }, ago === 0 ? 'now' : '-' + fmtMinSec(ago)),
      );
    }
    if (shown.length === 0) el.appendChild(svg('text', { x: (L + W) / 2, y: H / 2, class: 'empty' }, 'waiting for samples…'));
    chart.series.forEach(function (s, idx) {
      var pts = shown.map(function (p) {
        return x(p.t).toFixed(1) + ',' + y(s.value(p)).toFixed(1);
      });
      if (idx === 0 && pts.length > 1) {
        var first = shown[0],
          last = shown[shown.length - 1];
        el.appendChild(
          svg('polygon', { points: x(first.t).toFixed(1) + ',' + y(0) + ' ' + pts.join(' ') + ' ' + x(last.t).toFixed(1) + ',' + y(0), class: 'area' }),
        );
      }
      el.appendChild(svg('polyline', { points: pts.join(' '), class: 'series s' + idx, 'data-series': s.name }));
    });
    el.setAttribute('data-samples', String(shown.length));
    var latest = shown[shown.length - 1];
    var legend = $(chart.id + '-legend');
    if (legend) {
      legend.textContent = '';
      chart.series.forEach(function (s, idx) {
        var sw = document.createElement('i');
        sw.style.background = idx === 0 ? 'var(--accent)' : 'var(--accent2)';
        legend.appendChild(sw);
        legend.appendChild(document.createTextNode(s.name + ' ' + (latest ? chart.fmt(s.value(latest)) : '–')));
      });
    }
  }
  function drawAll(now) {
    CHARTS.forEach(function (c) {
      drawChart(c, now);
    });
  }

  // -- Status -------------------------------------------------------------------------------------
  function cell(tr, text) {
    var td = document.createElement('td');
    td.textContent = text;
    tr.appendChild(td);
  }

  function renderTables(rows) {
    var body = $('tables-body');
    body.textContent = '';
    if (rows.length === 0) {
      var tr0 = document.createElement('tr');
      cell(tr0, 'no tables yet');
      body.appendChild(tr0);
      return;
    }
    rows.forEach(function (t) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-table', t.table);
      cell(tr, t.table);
      cell(tr, fmtInt(t.inserts));
      cell(tr, fmtInt(t.updates));
      cell(tr, fmtInt(t.deletes));
      cell(tr, fmtInt(t.batches));
      cell(tr, fmtInt(t.rows));
      cell(tr, t.loads > 0 ? Math.round((t.loadSeconds / t.loads) * 1000) + ' ms' : '–');
      cell(tr, fmtInt(t.failures));
      body.appendChild(tr);
    });
  }

  /** One progress bar per table snapshot (percent is null when the estimate is unknown). */
  function renderSnapshots(snaps) {
    var section = $('snapshots');
    var list = $('snapshot-bars');
    section.hidden = snaps.length === 0;
    list.textContent = '';
    var running = snaps.filter(function (x) {
      return x.phase === 'pending' || x.phase === 'copying';
    }).length;
    setText('snapshots-summary', running > 0 ? running + ' running' : '');
    snaps.forEach(function (x) {
      var row = document.createElement('div');
      row.className = 'snap ' + x.phase;
      row.setAttribute('data-table', x.table);
      var name = document.createElement('div');
      name.className = 'name';
      name.textContent = x.table;
      var phase = document.createElement('span');
      phase.className = 'phase';
      phase.textContent = x.phase + (x.reason === 'initial' ? '' : ' · ' + x.reason);
      name.appendChild(phase);
      var bar = document.createElement('div');
      bar.className = 'bar' + (x.percent === null ? ' unknown' : '');
      bar.setAttribute('role', 'progressbar');
      bar.setAttribute('aria-label', x.table + ' snapshot');
      if (x.percent !== null) bar.setAttribute('aria-valuenow', String(x.percent));
      var fill = document.createElement('div');
      fill.className = 'fill';
      if (x.percent !== null) fill.style.width = x.percent + '%';
      bar.appendChild(fill);
      var parts = [fmtInt(x.rowsCopied) + (x.rowsEstimated >= 0 ? ' / ~' + fmtInt(x.rowsEstimated) : '') + ' rows'];
      if (x.percent !== null) parts.push(x.percent + ' %');
      if (x.phase === 'copying' && x.rowsPerSecond > 0) parts.push(fmtRate(x.rowsPerSecond) + ' rows/s');
      if (x.etaSeconds !== null) parts.push('ETA ' + fmtAge(x.etaSeconds * 1000));
      parts.push(fmtInt(x.chunks) + (x.chunks === 1 ? ' chunk' : ' chunks'));
      var detail = document.createElement('div');
      detail.className = 'detail';
      detail.textContent = parts.join(' · ');
      row.appendChild(name);
      row.appendChild(bar);
      row.appendChild(detail);
      if (x.error) {
        var err = document.createElement('div');
        err.className = 'error';
        err.textContent = x.error;
        row.appendChild(err);
      }
      list.appendChild(row);
    });
  }

  function renderErrors(errors) {
    var list = $('errors');
    list.textContent = '';
    setText('errors-count', errors.length === 0 ? '' : String(errors.length));
    if (errors.length === 0) {
      var li0 = document.createElement('li');
      li0.className = 'muted';
      li0.textContent = 'No errors.';
      list.appendChild(li0);
      return;
    }
    errors.forEach(function (e) {
      var li = document.createElement('li');
      li.className = e.retried ? 'retried' : 'fatal';
      var meta = document.createElement('div');
      meta.className = 'meta';
      var b = document.createElement('b');
      b.textContent = e.code + (e.retried ? ' (retried)' : '');
      meta.appendChild(b);
      meta.appendChild(
        document.createTextNode(' · ' + e.source + ' · ' + fmtClock(e.at) + (e.count > 1 ? ' · ×' + e.count + ', last ' + fmtClock(e.lastAt) : '')),
      );
      var msg = document.createElement('div');
      msg.textContent = e.message;
      li.appendChild(meta);
      li.appendChild(msg);
      list.appendChild(li);
    });
  }

  function renderButtons() {
    var s = st.status;
    var canPause = !!s && s.stage === 'CDC' && s.runState === 'RUNNING';
    var canResume = !!s && s.stage === 'CDC' && s.runState === 'PAUSED';
    $('pause').disabled = st.busy || !canPause;
    $('resume').disabled = st.busy || !canResume;
  }

  function render(s) {
    setText('slot', s.slotName || '');
    var stage = $('stage');
    setText('stage', s.stage);
    stage.className = 'badge stage-' + s.stage;
    setText('stage-detail', s.stageDetail);
    var rs = $('run-state');
    setText('run-state', s.runState);
    rs.className = 'badge rs-' + s.runState;
    var health = $('health');
    setText('health', s.healthy ? 'healthy' : 'unhealthy');
    health.className = 'badge ' + (s.healthy ? 'ok' : 'bad');
    setText('events-per-second', fmtRate(s.eventsPerSecond));
    setText('events-total', fmtInt(s.totals.events));
    setText('lag-bytes', fmtBytes(s.lagBytes));
    setText('lag-events', fmtInt(s.lagEvents));
    setText('batches', fmtInt(s.totals.batches));
    setText('rows-loaded', fmtInt(s.totals.rowsLoaded));
    setText('commits', fmtInt(s.totals.commits));
    setText('rss', fmtBytes(s.rssBytes));
    setText('cpu', (s.cpuMillicores / 10).toFixed(0) + ' %');
    setText('confirmed-lsn', s.confirmedLsn);
    setText('uptime', fmtAge(s.now - s.startedAt));
    setText('updated', 'updated ' + fmtClock(s.now));
    var banner = $('error-banner');
    banner.hidden = s.errorDetail === '';
    setText('error-banner', s.errorDetail);
    $('token-box').hidden = !s.auth;
    renderTables(s.perTable);
    renderSnapshots(s.snapshots || []);
    renderErrors(s.errors);
    renderButtons();
  }

  function schedule(ms) {
    clearTimeout(st.timer);
    st.timer = setTimeout(poll, ms);
  }

  function poll() {
    fetch('/api/status?since=' + st.lastT, { cache: 'no-store' })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (s) {
        st.failures = 0;
        $('offline').hidden = true;
        s.samples.forEach(function (p) {
          if (p.t > st.lastT) {
            st.samples.push(p);
            st.lastT = p.t;
          }
        });
        var cut = s.now - KEEP_MS;
        while (st.samples.length > 0 && st.samples[0].t < cut) st.samples.shift();
        st.status = s;
        render(s);
        drawAll(s.now);
      })
      .catch(function (e) {
        st.failures++;
        if (st.failures >= 2) {
          $('offline').hidden = false;
          setText('offline', 'The daemon does not answer (' + e.message + '); retrying…');
        }
      })
      .then(function () {
        schedule(1000);
      });
  }

  // -- Controls -----------------------------------------------------------------------------------
  function result(kind, text) {
    var e = $('action-result');
    e.className = kind;
    e.textContent = text;
  }

  function control(action) {
    st.busy = true;
    renderButtons();
    var headers = { 'content-type': 'application/json' };
    var token = $('token').value || sessionStorage.getItem(TOKEN_KEY) || '';
    if (token) headers.authorization = 'Bearer ' + token;
    result('pending', action === 'pause' ? 'Pausing: writing what was received…' : 'Resuming…');
    fetch('/api/' + action, { method: 'POST', headers: headers, body: '{}' })
      .then(function (r) {
        return r.json().then(function (b) {
          return { status: r.status, body: b };
        });
      })
      .then(function (x) {
        if (x.status === 401) {
          $('token-box').hidden = false;
          $('token').focus();
        }
        result(x.body.success ? 'ok' : 'fail', x.body.message);
      })
      .catch(function (e) {
        result('fail', action + ' failed: ' + e.message);
      })
      .then(function () {
        st.busy = false;
        renderButtons();
        schedule(0);
      });
  }

  $('pause').addEventListener('click', function () {
    control('pause');
  });
  $('resume').addEventListener('click', function () {
    control('resume');
  });
  $('token').value = sessionStorage.getItem(TOKEN_KEY) || '';
  $('token').addEventListener('change', function () {
    sessionStorage.setItem(TOKEN_KEY, $('token').value);
  });
  Array.prototype.forEach.call(document.querySelectorAll('.window button'), function (b) {
    b.addEventListener('click', function () {
      st.windowMs = Number(b.getAttribute('data-ms'));
      Array.prototype.forEach.call(document.querySelectorAll('.window button'), function (o) {
        o.className = o === b ? 'secondary active' : 'secondary';
      });
      if (st.status) drawAll(st.status.now);
    });
  });
  poll();
})();
