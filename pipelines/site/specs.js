/* specs.js: the Vega-Lite charts of the dashboard and the report, shared
 * by the browser (app.js) and Node (render-charts.mjs, the report's SVGs).
 * Each function takes plain rows and returns a Vega-Lite spec. */
(function (root) {
  'use strict';

  var INK = '#1d2433';
  var MAIN = '#0b6e8f';
  var BAND = '#9cc9da';
  var EVENT = '#b45309';

  function base(width, height) {
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: width || 'container',
      height: height || 260,
      autosize: {type: 'fit', contains: 'padding'},
      config: {
        font: 'system-ui, "DejaVu Sans", sans-serif',
        axis: {labelColor: INK, titleColor: INK, labelFontSize: 12,
               titleFontSize: 12, gridColor: '#e3e8ec'},
        legend: {labelFontSize: 12, titleFontSize: 12, orient: 'bottom'},
        view: {stroke: null}
      }
    };
  }

  /* "2026Q2" -> the middle of the quarter, as an ISO date */
  function quarterMid(period) {
    var y = +period.slice(0, 4), q = +period.slice(5);
    var month = (q - 1) * 3 + 2;
    return y + '-' + (month < 10 ? '0' : '') + month + '-15';
  }

  /* the time axis: one label per quarter, at its middle, in UTC (the
   * dates are ISO days, which JavaScript reads as UTC midnight) */
  function timeAxis(periods, labelOverlap) {
    return {field: 'date', type: 'temporal', title: null,
            scale: {type: 'utc'},
            axis: {values: periods.map(function (p) {
                     var d = quarterMid(p);
                     return Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, 15);
                   }),
                   labelExpr: "utcFormat(datum.value, '%Y') + ' Q' + " +
                              "(floor(utcmonth(datum.value) / 3) + 1)",
                   labelAngle: 0,
                   labelOverlap: labelOverlap === undefined ? 'greedy' : labelOverlap,
                   grid: false}};
  }

  function quarterStart(period) {
    var y = +period.slice(0, 4), q = +period.slice(5);
    var month = (q - 1) * 3 + 1;
    return y + '-' + (month < 10 ? '0' : '') + month + '-01';
  }

  /* rows: {period, value, low, high}; events: {date, title} */
  function trend(rows, events, opts) {
    opts = opts || {};
    var title = opts.measureTitle || 'Clients';
    var data = rows.map(function (r) {
      return {period: r.period, date: quarterMid(r.period), value: r.value,
              low: r.low, high: r.high === null ? r.value : r.high};
    });
    var first = rows.length ? quarterStart(rows[0].period) : null;
    var ev = (events || []).filter(function (e) {
      return first === null || e.date >= first;
    });
    var x = timeAxis(rows.map(function (r) { return r.period; }), opts.labelOverlap);
    var spec = base(opts.width, opts.height);
    spec.layer = [
      {data: {values: data}, mark: {type: 'area', color: BAND, opacity: 0.6},
       encoding: {x: x, y: {field: 'low', type: 'quantitative', title: title,
                            scale: {zero: true}},
                  y2: {field: 'high'}}},
      {data: {values: data},
       mark: {type: 'line', color: MAIN, strokeWidth: 2.5,
              point: {filled: true, size: 50, color: MAIN}},
       encoding: {x: x, y: {field: 'value', type: 'quantitative'},
                  tooltip: [{field: 'period', title: 'Quarter'},
                            {field: 'value', title: title, format: ','},
                            {field: 'low', title: 'Low', format: ','},
                            {field: 'high', title: 'High', format: ','}]}}
    ];
    if (ev.length) {
      spec.layer.push({
        data: {values: ev},
        mark: {type: 'rule', color: EVENT, strokeDash: [4, 3], strokeWidth: 1.5},
        encoding: {x: {field: 'date', type: 'temporal', scale: {type: 'utc'}},
                   tooltip: [{field: 'date', title: 'Date'},
                             {field: 'title', title: 'Policy event'}]}
      });
    }
    return spec;
  }

  /* rows: {period, region, value}: one line per region */
  function regions(rows, opts) {
    opts = opts || {};
    var data = rows.map(function (r) {
      return {region: r.region, date: quarterMid(r.period), period: r.period,
              value: r.value};
    });
    var spec = base(opts.width, opts.height || 300);
    spec.data = {values: data};
    spec.mark = {type: 'line', point: true, strokeWidth: 2};
    spec.encoding = {
      x: timeAxis(data.map(function (r) { return r.period; })
                    .filter(function (p, i, a) { return a.indexOf(p) === i; })),
      y: {field: 'value', type: 'quantitative',
          title: opts.measureTitle || 'Clients'},
      color: {field: 'region', type: 'nominal', title: 'Region',
              sort: opts.order || null,
              scale: {scheme: 'tableau10'},
              legend: {columns: opts.legendColumns || 4}},
      tooltip: [{field: 'region', title: 'Region'},
                {field: 'period', title: 'Quarter'},
                {field: 'value', title: opts.measureTitle || 'Value',
                 format: ','}]
    };
    return spec;
  }

  /* rows: {label, value, low, high}: bars with the range as a rule */
  function bars(rows, opts) {
    opts = opts || {};
    var data = rows.map(function (r) {
      return {label: r.label, value: r.value, low: r.low,
              high: r.high === null ? r.value : r.high};
    });
    var order = data.map(function (r) { return r.label; });
    var y = {field: 'label', type: 'nominal', title: null, sort: order,
             axis: {labelLimit: 220}};
    var spec = base(opts.width, opts.height || Math.max(120, 26 * data.length));
    spec.data = {values: data};
    spec.layer = [
      {mark: {type: 'bar', color: MAIN, opacity: 0.85},
       encoding: {y: y, x: {field: 'value', type: 'quantitative',
                            title: opts.measureTitle || 'Clients'},
                  tooltip: [{field: 'label', title: opts.dimTitle || 'Group'},
                            {field: 'value', title: 'Estimate', format: ','},
                            {field: 'low', title: 'Low', format: ','},
                            {field: 'high', title: 'High', format: ','}]}},
      {mark: {type: 'rule', color: INK, strokeWidth: 1.5},
       encoding: {y: y, x: {field: 'low', type: 'quantitative'},
                  x2: {field: 'high'}}}
    ];
    return spec;
  }

  /* rows: {period, count} */
  function agencies(rows, opts) {
    opts = opts || {};
    var spec = base(opts.width, opts.height || 160);
    spec.data = {values: rows};
    spec.mark = {type: 'bar', color: MAIN};
    spec.encoding = {
      x: {field: 'period', type: 'ordinal', title: null,
          axis: {labelAngle: 0}},
      y: {field: 'count', type: 'quantitative', title: 'Agencies',
          axis: {tickMinStep: 1}},
      tooltip: [{field: 'period', title: 'Quarter'},
                {field: 'count', title: 'Agencies'}]
    };
    return spec;
  }

  var api = {trend: trend, regions: regions, bars: bars, agencies: agencies,
             quarterMid: quarterMid};
  if (typeof module !== 'undefined' && module.exports)
    module.exports = api;
  else
    root.NZSpecs = api;
})(this);
