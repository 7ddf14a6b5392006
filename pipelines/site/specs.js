/* specs.js: the Vega-Lite charts of the dashboard and the report (the
 * same specs for both).  Each function takes plain rows whose figures
 * carry how they may be shown (figures.js) and returns a spec: a number
 * is a point on the line or a bar, a range is drawn as a range only, and
 * an S as "S"; no mark pretends to be more exact than its figure. */
(function (root) {
  'use strict';

  /* Colours, each checked for WCAG AA by the browser test: text at 4.5:1
   * on the page backgrounds, chart marks at 3:1 on white.  BAND is the
   * fill behind the line: the range it shows is also in the table and
   * the tooltip, so it carries nothing a reader needs to see in it. */
  var PALETTE = {
    ink: '#1d2433', muted: '#4b5563', main: '#0b6e8f', head: '#0b4f6c',
    event: '#b45309', panel: '#5b6573', range: '#0b6e8f', focus: '#b45309'
  };
  var BAND = '#bfdce8';
  var BACKGROUNDS = ['#ffffff', '#fafbfc', '#eef4f7'];

  function base(width, height) {
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: width || 'container',
      height: height || 240,
      autosize: {type: 'fit', contains: 'padding'},
      config: {
        font: 'system-ui, "DejaVu Sans", sans-serif',
        axis: {labelColor: PALETTE.ink, titleColor: PALETTE.ink, labelFontSize: 12,
               titleFontSize: 12, gridColor: '#e3e8ec', domainColor: PALETTE.muted,
               tickColor: PALETTE.muted},
        view: {stroke: null}
      }
    };
  }

  function quarterStart(p) {
    var y = +p.slice(0, 4), q = +p[5];
    return Date.UTC(y, (q - 1) * 3, 1);
  }
  function quarterMid(p) {
    var y = +p.slice(0, 4), q = +p[5];
    return Date.UTC(y, (q - 1) * 3 + 1, 15);
  }
  function quarterEnd(p) {
    var y = +p.slice(0, 4), q = +p[5];
    return Date.UTC(y, q * 3, 1);
  }
  function isoTime(iso) {
    return Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10));
  }

  /* whole numbers with thousands separators, or percentages */
  function axisFormat(unit, ticks) {
    var a = {format: unit === '%' ? '.0f' : ',.0f', tickCount: ticks};
    if (unit === '%') a.labelExpr = "datum.label + '%'";
    return a;
  }

  /* [layer] when some row satisfies pred, else none: a layer without
   * data only makes Vega warn */
  function only(data, pred, layer) {
    return data.some(pred) ? [layer] : [];
  }
  function isKind(k) { return function (d) { return d.kind === k; }; }

  /* the time axis: one two-line label per quarter ("Q3" over "2024"), so
   * labels never run together, from the start of the first quarter to
   * the end of the last */
  function timeX(periods) {
    return {field: 'time', type: 'temporal', title: null,
            scale: {type: 'utc', domain: [quarterStart(periods[0]),
                                          quarterEnd(periods[periods.length - 1])]},
            axis: {values: periods.map(quarterMid), grid: false, labelAngle: 0,
                   labelOverlap: false, labelPadding: 4,
                   labelExpr: "['Q' + (floor(utcmonth(datum.value) / 3) + 1), " +
                              "utcFormat(datum.value, '%Y')]"}};
  }

  /* rows: {period, est, low, high, shown, tip}; opts: title, periods,
   * events [{date}], panel rows {period, est, low, high, tip} (the
   * like-for-like line), marks [{period, text}] (agencies joining) */
  function trend(rows, opts) {
    var periods = opts.periods, x = timeX(periods), seg = 0, last = null;
    var data = rows.map(function (r) {
      if (r.shown !== 'number') last = null;
      else if (last === null) last = ++seg;
      return {time: quarterMid(r.period), period: r.period, tip: r.tip,
              est: r.shown === 'number' ? r.est : null, seg: last,
              low: r.shown === 'S' ? 0 : r.low,
              high: r.high === null ? Math.max(r.low, r.est) : r.high,
              kind: r.shown, open: r.high === null};
    });
    var y = {type: 'quantitative', title: opts.title, scale: {zero: true},
             axis: axisFormat(opts.unit, 5)};
    var spec = base(opts.width, opts.height);
    spec.layer = [
      {data: {values: data}, mark: {type: 'area', color: BAND, opacity: 0.9},
       encoding: {x: x, y: Object.assign({field: 'low'}, y), y2: {field: 'high'}}}
    ].concat(only(data, function (d) { return d.kind !== 'number'; },
      {data: {values: data}, transform: [{filter: "datum.kind !== 'number'"}],
       mark: {type: 'rule', color: PALETTE.range, strokeWidth: 3, opacity: 0.7},
       encoding: {x: {field: 'time', type: 'temporal'}, y: {field: 'low', type: 'quantitative'},
                  y2: {field: 'high'}, tooltip: [{field: 'period', title: 'Quarter'},
                                                 {field: 'tip', title: opts.title}]}}),
    only(data, function (d) { return d.seg !== null; },
      {data: {values: data}, transform: [{filter: 'datum.seg !== null'}],
       mark: {type: 'line', color: PALETTE.main, strokeWidth: 2.5,
              point: {filled: true, size: 45, color: PALETTE.main}},
       encoding: {x: {field: 'time', type: 'temporal'}, y: {field: 'est', type: 'quantitative'},
                  detail: {field: 'seg', type: 'nominal'},
                  tooltip: [{field: 'period', title: 'Quarter'},
                            {field: 'tip', title: opts.title}]}}));
    if (opts.panel && opts.panel.length) {
      spec.layer.push({
        data: {values: opts.panel.map(function (r) {
          return {time: quarterMid(r.period), period: r.period, est: r.est, tip: r.tip};
        })},
        mark: {type: 'line', color: PALETTE.panel, strokeWidth: 2, strokeDash: [6, 4],
               point: {filled: false, size: 30, color: PALETTE.panel}},
        encoding: {x: {field: 'time', type: 'temporal'}, y: {field: 'est', type: 'quantitative'},
                   tooltip: [{field: 'period', title: 'Quarter'},
                             {field: 'tip', title: 'Like for like'}]}});
    }
    var ev = (opts.events || []).filter(function (e) {
      var t = isoTime(e.date);
      return t >= quarterStart(periods[0]) && t < quarterEnd(periods[periods.length - 1]);
    }).map(function (e) { return {time: isoTime(e.date)}; });
    if (ev.length)
      spec.layer.push({data: {values: ev},
        mark: {type: 'rule', color: PALETTE.event, strokeDash: [4, 3], strokeWidth: 1.5},
        encoding: {x: {field: 'time', type: 'temporal'}}});
    if (opts.marks && opts.marks.length) {
      /* a mark's label runs right of its line in the first half of the
       * chart and left of it in the second, so that it stays inside */
      var middle = Math.floor(periods.length / 2);
      var label = function (side) {
        return {transform: [{filter: side === 'left' ? '!datum.late' : 'datum.late'}],
                mark: {type: 'text', color: PALETTE.muted, align: side, baseline: 'bottom',
                       dx: side === 'left' ? 3 : -3, dy: -2, fontSize: 11, y: 'height'},
                encoding: {x: {field: 'time', type: 'temporal'}, text: {field: 'text'}}};
      };
      spec.layer.push({data: {values: opts.marks.map(function (m) {
          return {time: quarterStart(m.period), text: m.text,
                  late: periods.indexOf(m.period) >= middle};
        })},
        layer: [
          {mark: {type: 'rule', color: PALETTE.muted, strokeDash: [1, 3]},
           encoding: {x: {field: 'time', type: 'temporal'}}},
          label('left'), label('right')
        ]});
    }
    return spec;
  }

  /* a label in lines of at most width characters, for axis labels that
   * are wrapped rather than cut */
  function wrap(label, width) {
    var lines = [], line = '';
    String(label).split(' ').forEach(function (w) {
      if (line && (line + ' ' + w).length > width) { lines.push(line); line = w; }
      else line = line ? line + ' ' + w : w;
    });
    lines.push(line);
    return lines.join('\n');
  }

  /* rows: {label, est, low, high, shown, tip}: a bar for a number with
   * its range across it, a range bar for a range, "S" for an S */
  function bars(rows, opts) {
    var width = opts.labelWidth || 26;
    var data = rows.map(function (r) {
      return {label: wrap(r.label, width), est: r.shown === 'number' ? r.est : null,
              low: r.shown === 'S' ? 0 : r.low,
              high: r.high === null ? Math.max(r.low, r.est) : r.high,
              kind: r.shown, tip: r.tip};
    });
    var lines = data.reduce(function (n, r) { return Math.max(n, r.label.split('\n').length); }, 1);
    var y = {field: 'label', type: 'nominal', title: null,
             sort: data.map(function (r) { return r.label; }),
             axis: {labelLimit: 0, labelExpr: "split(datum.value, '\\n')",
                    labelFontSize: 12, labelLineHeight: 14}};
    var xf = {type: 'quantitative', title: opts.title, scale: {zero: true},
              axis: axisFormat(opts.unit, 4)};
    var tip = [{field: 'label', title: opts.dimTitle || 'Group'},
               {field: 'tip', title: opts.title}];
    /* every band tall enough for the longest wrapped label */
    var spec = base(opts.width, opts.height || Math.max(90, (15 * lines + 9) * data.length));
    spec.data = {values: data};
    spec.layer = only(data, isKind('number'),
      {transform: [{filter: "datum.kind === 'number'"}],
       mark: {type: 'bar', color: PALETTE.main, opacity: 0.85, height: {band: 0.7}},
       encoding: {y: y, x: Object.assign({field: 'est'}, xf), tooltip: tip}})
    .concat(only(data, isKind('range'),
      {transform: [{filter: "datum.kind === 'range'"}],
       mark: {type: 'bar', color: PALETTE.main, opacity: 0.25, stroke: PALETTE.main,
              strokeWidth: 1, strokeDash: [3, 2], height: {band: 0.7}},
       encoding: {y: y, x: Object.assign({field: 'low'}, xf), x2: {field: 'high'},
                  tooltip: tip}}),
    only(data, isKind('number'),
      {transform: [{filter: "datum.kind === 'number'"}],
       mark: {type: 'rule', color: PALETTE.ink, strokeWidth: 1.5},
       encoding: {y: y, x: {field: 'low', type: 'quantitative'}, x2: {field: 'high'}}}),
    only(data, isKind('S'),
      {transform: [{filter: "datum.kind === 'S'"}],
       mark: {type: 'text', color: PALETTE.ink, align: 'left', dx: 4, fontWeight: 'bold'},
       encoding: {y: y, x: Object.assign({datum: 0}, xf), text: {value: 'S'},
                  tooltip: tip}}));
    return spec;
  }

  /* rows: {label, when ('before' or 'after'), est, low, high, shown, tip}:
   * for each group its share in two quarters, each drawn as its range,
   * with a dot at the estimate where it is a number.  opts.series and
   * opts.colours name other series than before and after (the agency's
   * internal report sets its own share beside the region's and the
   * country's). */
  function beforeAfter(rows, opts) {
    var width = opts.labelWidth || 26;
    var series = opts.series || ['before', 'after'];
    var colours = opts.colours || [PALETTE.panel, PALETTE.main];
    var data = rows.map(function (r) {
      return {label: wrap(r.label, width), when: r.when, kind: r.shown, tip: r.tip,
              est: r.shown === 'number' ? r.est : null, low: r.low, high: r.high};
    });
    var labels = data.filter(function (r, i, a) {
      return a.findIndex(function (o) { return o.label === r.label; }) === i;
    }).map(function (r) { return r.label; });
    var lines = labels.reduce(function (n, l) { return Math.max(n, l.split('\n').length); }, 1);
    var y = {field: 'label', type: 'nominal', title: null, sort: labels,
             axis: {labelLimit: 0, labelExpr: "split(datum.value, '\\n')",
                    labelFontSize: 12, labelLineHeight: 14}};
    var color = {field: 'when', type: 'nominal', title: null,
                 scale: {domain: series, range: colours},
                 legend: {orient: 'top', labelExpr: opts.legendExpr || 'datum.label'}};
    var x = {type: 'quantitative', title: opts.title, scale: {zero: true},
             axis: {tickCount: 4, labelExpr: "datum.label + '%'"}};
    var tip = [{field: 'label', title: opts.dimTitle}, {field: 'when', title: 'Quarter'},
               {field: 'tip', title: opts.title}];
    var spec = base(opts.width, Math.max(100, (Math.max(15 * lines, 13 * series.length) + 10) *
                                         labels.length));
    spec.data = {values: data};
    spec.layer = [
      {mark: {type: 'rule', strokeWidth: 4, opacity: 0.55},
       encoding: {y: y, yOffset: {field: 'when', sort: series},
                  x: Object.assign({field: 'low'}, x), x2: {field: 'high'}, color: color,
                  tooltip: tip}}
    ].concat(only(data, function (d) { return d.est !== null; },
      {transform: [{filter: 'datum.est !== null'}],
       mark: {type: 'point', filled: true, size: 50, opacity: 1},
       encoding: {y: y, yOffset: {field: 'when', sort: series},
                  x: {field: 'est', type: 'quantitative'}, color: color, tooltip: tip}}),
    only(data, isKind('S'),
      {transform: [{filter: "datum.kind === 'S'"}],
       mark: {type: 'text', align: 'left', dx: 6, fontWeight: 'bold', color: PALETTE.ink},
       encoding: {y: y, yOffset: {field: 'when', sort: series},
                  x: {field: 'high', type: 'quantitative'}, text: {value: 'S'}}}));
    return spec;
  }

  /* rows: {period, count, joined}: agencies per quarter */
  function agencies(rows, opts) {
    var spec = base(opts && opts.width, (opts && opts.height) || 150);
    spec.data = {values: rows.map(function (r) {
      return {time: quarterMid(r.period), period: r.period, count: r.count, note: r.note};
    })};
    spec.layer = [
      {mark: {type: 'bar', color: PALETTE.main, width: {band: 0.6}},
       encoding: {x: {field: 'period', type: 'ordinal', title: null,
                      axis: {labelAngle: 0, labelExpr:
                             "[slice(datum.value, 4), slice(datum.value, 0, 4)]"}},
                  y: {field: 'count', type: 'quantitative', title: 'Agencies',
                      axis: {tickMinStep: 1}},
                  tooltip: [{field: 'period', title: 'Quarter'},
                            {field: 'count', title: 'Agencies'},
                            {field: 'note', title: 'Change'}]}},
      {mark: {type: 'text', color: PALETTE.ink, dy: -6, baseline: 'bottom'},
       encoding: {x: {field: 'period', type: 'ordinal'},
                  y: {field: 'count', type: 'quantitative'}, text: {field: 'count'}}}
    ];
    return spec;
  }

  var api = {trend: trend, bars: bars, agencies: agencies, beforeAfter: beforeAfter, wrap: wrap,
             quarterMid: quarterMid, isoTime: isoTime, PALETTE: PALETTE, BAND: BAND,
             BACKGROUNDS: BACKGROUNDS};
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  else root.NZSpecs = api;
})(this);
