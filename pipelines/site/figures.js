/* figures.js: the published figures (window.NZ_DATA, written by publish)
 * as objects, and the figures the pages derive from them: shares of
 * clients, percentage changes, half-year totals and the like-for-like
 * line, each with its range and how it may be shown.  Shared by the
 * dashboard (app.js) and the report (report.js); no page computes a
 * figure anywhere else.
 *
 * The rule for showing a figure is merge's (pipelines/FORMATS.md,
 * "Merged cells"; nz_shown in filters/lib/release.c): S when what it
 * counts is certainly under 6, a number when what it counts is certainly
 * 6 or more and its range is at most max_range_share percent of it,
 * otherwise a range.  The browser test checks this copy against every
 * M_shown in merged.csv. */
(function (root) {
  'use strict';

  function model(D) {
    var MIN = D.shown_min, SHARE = D.max_range_share;
    var dims = D.dimensions.map(function (d) {
      var label = {};
      d.codes.forEach(function (c) { label[c[0]] = c[1]; });
      return {name: d.name, title: d.title, multi: d.multi, codes: d.codes,
              label: label, highlight: d.highlight, notStated: d.not_stated};
    });
    var dimByName = {};
    dims.forEach(function (d) { dimByName[d.name] = d; });

    /* ---- the tables: cells and changes as objects, by key ---- */

    /* Where a group of rows is: its period and region (0 all) as one
     * number; a row in it by its dimension (0 none) and code (1 + index
     * in the code list; 0 none), in whose order the rows are. */
    var periodAt = Object.create(null), regionAt = Object.create(null),
        dimAt = Object.create(null), codeAt = [];
    D.periods.forEach(function (p, i) { periodAt[p] = i; });
    regionAt['*'] = 0;
    dims[0].codes.forEach(function (c, i) { regionAt[c[0]] = i + 1; });
    dims.forEach(function (d, i) {
      dimAt[d.name] = i;
      codeAt[i] = Object.create(null);
      d.codes.forEach(function (c, j) { codeAt[i][c[0]] = j + 1; });
    });
    function place(p, r) { return p * (dims[0].codes.length + 1) + r; }

    /* how a value column is written, from its name (publish.c, "How the
     * data writes a value column"): est, low (the estimate less it) or
     * high (1 + itself less the estimate, 0 none) of its estimate ref;
     * less: the column of the row added back; from: the cell it is told
     * from (period, base, or total 1 its region's, 2 the national) and
     * its column at there */
    var MEASURES = D.measures.map(function (m) { return m.name; });
    function columnOf(name, isCells) {
      var c = {name: name, how: 'raw', ref: null, less: null, from: null, at: null};
      if (name === 'agencies' && isCells) { c.from = 1; c.at = name; }
      if (name === 'agencies_matched' && !isCells) { c.from = 2; c.at = 'agencies'; }
      MEASURES.forEach(function (m) {
        if (name.indexOf(m) !== 0 || (name.length > m.length && name[m.length] !== '_')) return;
        var suf = name.slice(m.length), base = suf.indexOf('_base') === 0;
        var rest = base ? suf.slice(5) : suf.replace(/^_stat/, '');
        if (['', '_low', '_high'].indexOf(rest) < 0) return;
        c.how = rest ? rest.slice(1) : 'est';
        if (rest) c.ref = m + (base ? '_base' : '');
        if (suf.indexOf('_stat_') === 0) c.less = m + rest;
        if (!isCells) { c.from = base ? 'base' : 'period'; c.at = m + rest; }
      });
      return c;
    }
    var cellColumns = {};
    function written(row, name) {
      var c = cellColumns[name], v = row[name];
      return c.how === 'low' ? row[c.ref] - v : c.how === 'high' ? (v === null ? 0 : 1 + v - row[c.ref]) : v;
    }
    /* 100 * change / base to one decimal, half away from zero (diff-quarters) */
    function pctOf(change, base) {
      var num = change * 1000, rest = num % base, tenths = (num - rest) / base;
      if (2 * Math.abs(rest) >= base) tenths += num < 0 ? -1 : 1;
      return tenths / 10;
    }
    /* a derived column: a cell's shown by the rule, a change's change,
     * bounds, pct and sig from its levels */
    function derive(o, name) {
      var m = MEASURES.filter(function (x) { return name.indexOf(x + '_') === 0; })[0];
      var suf = name.slice(m.length);
      if (suf === '_shown') return shown(o[m + '_low'], o[m + '_high'], o[m + '_low'], o[m + '_high'], o[m]);
      var lo = o[m + '_base_high'] === null ? null : o[m + '_low'] - o[m + '_base_high'];
      var hi = o[m + '_high'] === null ? null : o[m + '_high'] - o[m + '_base_low'];
      var base = o[m + '_base'], delta = o[m] - base;
      return suf === '_change' ? delta : suf === '_change_low' ? lo : suf === '_change_high' ? hi :
        suf === '_pct' ? (base > 0 ? pctOf(delta, base) : null) :
        (lo !== null && lo > 0) || (hi !== null && hi < 0) ? 1 : 0;
    }

    /* The rows of a table (the cells, or the changes of comparison kind)
     * as objects, each made when first asked for: get(period, region,
     * dim, code), and all() in the data's order. */
    function table(T, kind) {
      var isCells = kind === 'cells';
      if (!T.derived) {            /* {columns, rows} */
        var index = {}, list = [];
        T.rows.forEach(function (r) {
          var o = {};
          T.columns.forEach(function (c, i) { o[c] = r[i]; });
          if (!isCells && o.comparison !== kind) return;
          index[[o.period, o.region, o.dimension || '', o.code || ''].join('|')] = o;
          list.push(o);
        });
        return {all: function () { return list; }, get: function (p, r, d, c) {
          return index[[p, r, d || '', c || ''].join('|')] || null;
        }};
      }
      var columns = T.columns.map(function (c) { return columnOf(c, isCells); });
      if (isCells) columns.forEach(function (c) { cellColumns[c.name] = c; });
      var groups = new Map();
      T.rows.forEach(function (g) {
        if (isCells || g[0] === kind)
          groups.set(place(g[isCells ? 0 : 1], g[isCells ? 1 : 3]), {g: g, made: []});
      });
      function make(g, r) {
        var o = {}, w = {}, i = 2, d = r[0] ? dims[r[0]] : null;
        if (!isCells) o.comparison = g[0];
        o.period = D.periods[g[isCells ? 0 : 1]];
        if (!isCells) o.base_period = D.periods[g[2]];
        var region = g[isCells ? 1 : 3];
        o.region = region ? dims[0].codes[region - 1][0] : '*';
        o.dimension = d ? d.name : null;
        o.code = d ? d.codes[r[1] - 1][0] : null;
        columns.forEach(function (c) {
          var v = typeof r[i] === 'number' ? r[i++] : 0, from = null;
          if (c.less) v += w[c.less];
          /* a cell's agencies: its region's total's (not the total's own) */
          if (c.from === 1 && o.dimension) from = cell(o.period, o.region);
          else if (c.from === 2) from = cell(o.period, '*');
          else if (c.from === 'period' || c.from === 'base')
            from = cell(c.from === 'base' ? o.base_period : o.period, o.region, o.dimension, o.code);
          if (from) v += written(from, c.at);
          w[c.name] = v;
          o[c.name] = c.how === 'low' ? o[c.ref] - v :
            c.how === 'high' ? (v === 0 ? null : o[c.ref] + v - 1) : v;
        });
        T.lists.forEach(function (c) {
          var v = r[i];
          if (v === null || Array.isArray(v)) { o[c] = v; i++; } else o[c] = null;
        });
        var differ = r[i] && typeof r[i] === 'object' ? r[i] : {};
        T.derived.forEach(function (c) {
          o[c] = Object.prototype.hasOwnProperty.call(differ, c) ? differ[c] : derive(o, c);
        });
        return o;
      }
      /* row k of group s, made once */
      function at(s, k) {
        return s.made[k] || (s.made[k] = make(s.g, s.g[s.g.length - 1][k]));
      }
      return {
        all: function () {
          var out = [];
          groups.forEach(function (s) {
            s.g[s.g.length - 1].forEach(function (r, k) { out.push(at(s, k)); });
          });
          return out;
        },
        get: function (period, region, dim, code) {
          var p = periodAt[period], r = regionAt[region], d = dim ? dimAt[dim] : 0;
          var c = dim ? (d === undefined ? undefined : codeAt[d][code]) : code ? undefined : 0;
          var s = p === undefined || r === undefined || d === undefined || c === undefined ?
            null : groups.get(place(p, r));
          if (!s) return null;
          /* the rows are in the order of dimension and code */
          var rows = s.g[s.g.length - 1], lo = 0, hi = rows.length;
          while (lo < hi) {
            var mid = (lo + hi) >> 1, x = rows[mid];
            if (x[0] < d || (x[0] === d && x[1] < c)) lo = mid + 1; else hi = mid;
          }
          return lo < rows.length && rows[lo][0] === d && rows[lo][1] === c ? at(s, lo) : null;
        }
      };
    }

    /* publish writes them compact (pipelines/site/README.md, "The
     * data"); a page (the agency's view) may give {columns, rows} */
    var cellAt = table(D.cells, 'cells'), changeAt = {};
    ['qoq', 'yoy'].forEach(function (k) { changeAt[k] = table(D.changes, k); });

    function cell(period, region, dim, code) {
      return cellAt.get(period, region, dim, code);
    }
    function changeRow(kind, period, region, dim, code) {
      return changeAt[kind] ? changeAt[kind].get(period, region, dim, code) : null;
    }

    /* how a figure may be shown: est, low, high of the figure; the count
     * it rests on countLow..countHigh (null: no upper bound) */
    function shown(countLow, countHigh, low, high, est) {
      if (countHigh !== null && countHigh < MIN) return 'S';
      if (countLow >= MIN && countHigh !== null && high !== null &&
          (high - low) * 100 <= SHARE * est)
        return 'number';
      return 'range';
    }
    function count(est, low, high) {
      return {est: est, low: low, high: high, shown: shown(low, high, low, high, est)};
    }
    /* the figure of a row: prefix, prefix_low, prefix_high, prefix_shown */
    function fig(row, prefix) {
      var f = {est: row[prefix], low: row[prefix + '_low'], high: row[prefix + '_high']};
      f.shown = row[prefix + '_shown'] || shown(f.low, f.high, f.low, f.high, f.est);
      return f;
    }

    /* num's share of den in percent, to 0.1: the range from the bounds of
     * both, num_low / den_high to num_high / den_low, clipped to 0..100 */
    function share(num, den) {
      var low = 0, high = 1000, est = null;
      if (den.high !== null && den.high > 0) low = Math.floor(1000 * num.low / den.high);
      if (num.high !== null && den.low > 0)
        high = Math.min(1000, Math.ceil(1000 * num.high / den.low));
      if (den.est > 0)
        est = Math.min(high, Math.max(low, Math.round(1000 * num.est / den.est)));
      return {est: est === null ? null : est / 10, low: low / 10, high: high / 10,
              shown: est === null ? (num.high !== null && num.high < MIN ? 'S' : 'range')
                     : shown(num.low, num.high, low, high, est), unit: '%'};
    }

    /* 100 * (now / base - 1): the range from both ranges; only when the
     * base is shown as a number (a percentage of a few is noise) */
    function pct(now, base, est) {
      if (est === null || est === undefined || base.shown !== 'number') return null;
      var low = Math.floor(1000 * (now.low - base.high) / base.high) / 10;
      var high = now.high === null ? null :
        Math.ceil(1000 * (now.high - base.low) / base.low) / 10;
      return {est: Math.min(high === null ? est : high, Math.max(low, est)),
              low: low, high: high};
    }

    /* a like-for-like change of measure m: levels of the matched panel,
     * the change with its range, the percentage, and whether the change
     * is larger than the rounding and suppression could cause */
    function change(row, m) {
      if (!row) return null;
      var now = count(row[m], row[m + '_low'], row[m + '_high']);
      var base = count(row[m + '_base'], row[m + '_base_low'], row[m + '_base_high']);
      var delta = {est: row[m + '_change'], low: row[m + '_change_low'],
                   high: row[m + '_change_high'],
                   shown: now.shown === 'number' && base.shown === 'number' ? 'number' : 'range'};
      return {now: now, base: base, delta: delta, pct: pct(now, base, row[m + '_pct']),
              beyond: (delta.low !== null && delta.low > 0) ||
                      (delta.high !== null && delta.high < 0),
              period: row.period, base_period: row.base_period,
              matched: row.agencies_matched, row: row};
    }
    /* the totals row a breakdown change belongs to (it has the lists) */
    function changeTotal(row) {
      return changeRow(row.comparison, row.period, row.region);
    }

    function add(a, b) {
      return {est: a.est + b.est, low: a.low + b.low,
              high: a.high === null || b.high === null ? null : a.high + b.high};
    }

    /* Half-year totals of an additive measure (all agencies) and the
     * like-for-like change on the same half a year before: the sums of
     * the two quarters' year-on-year changes. */
    function half(h, region, m) {
      var y = +h.slice(0, 4), first = h[5] === '1' ? 1 : 3;
      var qs = [y + 'Q' + first, y + 'Q' + (first + 1)];
      var c = qs.map(function (q) { return cell(q, region); });
      if (!c[0] || !c[1]) return null;
      var total = add(fig(c[0], m), fig(c[1], m));
      total = count(total.est, total.low, total.high);
      var out = {half: h, quarters: qs, total: total, change: null};
      var r = qs.map(function (q) { return changeRow('yoy', q, region); });
      if (r[0] && r[1]) {
        var now = add(fig(r[0], m), fig(r[1], m)), delta = {est: 0, low: 0, high: 0};
        var base = add(fig(r[0], m + '_base'), fig(r[1], m + '_base'));
        [0, 1].forEach(function (k) {
          delta.est += r[k][m + '_change'];
          delta.low = delta.low === null || r[k][m + '_change_low'] === null ? null :
            delta.low + r[k][m + '_change_low'];
          delta.high = delta.high === null || r[k][m + '_change_high'] === null ? null :
            delta.high + r[k][m + '_change_high'];
        });
        var synth = {period: h, base_period: (y - 1) + h.slice(4),
                     agencies_matched: [r[0].agencies_matched, r[1].agencies_matched]};
        synth[m] = now.est; synth[m + '_low'] = now.low; synth[m + '_high'] = now.high;
        synth[m + '_base'] = base.est; synth[m + '_base_low'] = base.low;
        synth[m + '_base_high'] = base.high; synth[m + '_change'] = delta.est;
        synth[m + '_change_low'] = delta.low; synth[m + '_change_high'] = delta.high;
        synth[m + '_pct'] = base.est > 0 ? Math.round(1000 * delta.est / base.est) / 10 : null;
        out.change = change(synth, m);
      }
      return out;
    }

    /* The like-for-like line: the latest quarter's figure carried back
     * by the matched-panel changes, so an agency joining or leaving
     * makes no step; null after the latest quarter or past a gap. */
    function likeForLike(region, m) {
      var line = {}, p = D.periods.indexOf(latest), last = cell(latest, region);
      if (!last) return line;
      var f = {est: last[m], low: last[m + '_low'], high: last[m + '_high']};
      line[latest] = count(f.est, f.low, f.high);
      for (; p > 0; p--) {
        var r = changeRow('qoq', D.periods[p], region);
        if (!r || r.base_period !== D.periods[p - 1]) break;
        f = {est: f.est - r[m + '_change'],
             low: r[m + '_change_high'] === null ? 0 : Math.max(0, f.low - r[m + '_change_high']),
             high: f.high === null || r[m + '_change_low'] === null ? null :
               f.high - r[m + '_change_low']};
        f.est = Math.max(f.low, f.high === null ? f.est : Math.min(f.high, f.est));
        line[D.periods[p - 1]] = count(f.est, f.low, f.high);
      }
      return line;
    }

    /* the share of clients in each code of a dimension in a change's
     * base quarter (before) and its quarter (after), over the agencies
     * that released both */
    function sharesBetween(kind, period, region, dim) {
      var total = changeRow(kind, period, region);
      if (!total) return null;
      var den = change(total, 'clients');
      return {total: den, rows: dimByName[dim].codes.map(function (c) {
        var r = changeRow(kind, period, region, dim, c[0]);
        if (!r) return null;
        var ch = change(r, 'clients');
        return {code: c[0], label: c[1], clients: ch,
                before: share(ch.base, den.base), after: share(ch.now, den.now)};
      }).filter(Boolean)};
    }
    /* the before/after view of an event: its quarter before and after */
    function beforeAfter(ev, region, dim) {
      var total = changeRow('qoq', ev.after, region);
      if (!total || total.base_period !== ev.before) return null;
      return sharesBetween('qoq', ev.after, region, dim);
    }
    /* 1 higher, -1 lower, 0 when the two ranges overlap */
    function moved(before, after) {
      return after.low > before.high ? 1 : after.high < before.low ? -1 : 0;
    }

    /* Coverage: the agencies (from their manifests) that released each
     * quarter, those that joined (released nothing before; not in the
     * first quarter) and those missing (released the quarter before). */
    var coverage = D.periods.map(function (p, i) {
      var released = Object.keys(D.agencies).filter(function (a) {
        return D.agencies[a].indexOf(p) >= 0;
      }).sort();
      var before = i ? Object.keys(D.agencies).filter(function (a) {
        return D.agencies[a].indexOf(D.periods[i - 1]) >= 0;
      }) : [];
      var total = cell(p, '*');
      return {period: p, agencies: total ? total.agencies : null, released: released,
              joined: i ? released.filter(function (a) {
                return !D.agencies[a].some(function (q) { return q < p; });
              }) : [],
              missing: before.filter(function (a) { return released.indexOf(a) < 0; }).sort()};
    });
    /* the latest quarter: the last with national figures that every
     * agency of the quarter before has released, so that a quarter
     * some agencies have not sent yet never makes the headline */
    var latest = D.periods[0];
    coverage.forEach(function (c, i) {
      if (i && !c.missing.length && c.agencies !== null) latest = c.period;
    });

    /* the policy events, numbered by date as on the charts, with the
     * quarters either side: before holds the day before, after is the
     * first quarter that starts on or after the event */
    function quarterOf(y, m) { return y + 'Q' + (Math.floor((m - 1) / 3) + 1); }
    var events = D.events.map(function (e, i) {
      var y = +e.date.slice(0, 4), m = +e.date.slice(5, 7), d = +e.date.slice(8, 10);
      var eve = new Date(Date.UTC(y, m - 1, d - 1));
      var before = quarterOf(eve.getUTCFullYear(), eve.getUTCMonth() + 1);
      var period = quarterOf(y, m), q = +period[5];
      return Object.assign({n: i + 1, period: period, before: before,
        after: before !== period ? period : q === 4 ? (y + 1) + 'Q1' : y + 'Q' + (q + 1)}, e);
    });

    /* ---- the flow measures (issue 16) ---- */

    /* The share of clients who are new among those whose status is known
     * (new + returning; unknown left out: an export too short to tell),
     * in a quarter; null when the cells are not there. */
    function newShare(period, region) {
      var n = cell(period, region, 'client_status', 'new'),
          r = cell(period, region, 'client_status', 'returning');
      if (!n || !r) return null;
      var nf = fig(n, 'clients'), known = add(nf, fig(r, 'clients'));
      return {period: period, share: share(nf, count(known.est, known.low, known.high)),
              new: nf, known: count(known.est, known.low, known.high)};
    }
    /* Its like-for-like change (kind qoq or yoy) over the agencies that
     * released both quarters: the shares then and now, and the change in
     * percentage points with its range (now's low less base's high to
     * now's high less base's low). */
    function newShareChange(kind, period, region) {
      var n = changeRow(kind, period, region, 'client_status', 'new'),
          r = changeRow(kind, period, region, 'client_status', 'returning');
      if (!n || !r) return null;
      var cn = change(n, 'clients'), cr = change(r, 'clients');
      function at(w) {
        var k = add(cn[w], cr[w]);
        return share(cn[w], count(k.est, k.low, k.high));
      }
      var now = at('now'), base = at('base');
      if (now.est === null || base.est === null) return null;
      var d = {est: Math.round(10 * (now.est - base.est)) / 10,
               low: Math.round(10 * (now.low - base.high)) / 10,
               high: Math.round(10 * (now.high - base.low)) / 10, unit: ' points'};
      return {now: now, base: base, delta: d, period: n.period,
              base_period: n.base_period, matched: changeTotal(n) ?
                changeTotal(n).agencies_matched : n.agencies_matched,
              beyond: d.low > 0 || d.high < 0};
    }
    /* clients of one code of a flow measure, and their share of all
     * clients, in a quarter */
    function flowCount(period, region, dim, code) {
      var c = cell(period, region, dim, code), t = cell(period, region);
      if (!c || !t) return null;
      var f = fig(c, 'clients');
      return {period: period, count: f, share: share(f, fig(t, 'clients'))};
    }

    /* ---- outcomes (issue 23): of the agencies that record assessments ---- */
    var BANDS = ['improved', 'same', 'worse', 'unpaired', 'not_assessed'];
    /* a sum of figures: the sums of their estimates and bounds */
    function sum(figs) {
      var est = 0, low = 0, high = 0;
      figs.forEach(function (f) {
        est += f.est; low += f.low;
        high = high === null || f.high === null ? null : high + f.high;
      });
      return count(est, low, high);
    }
    /* part's share of part + rest in percent, to 0.1, where part and rest
     * are disjoint (improved, and same + worse): the share grows with the
     * part and falls with the rest, so its range is part_low / (part_low
     * + rest_high) to part_high / (part_high + rest_low), narrower than
     * the bounds of part over the bounds of the sum (share) */
    function partShare(part, rest) {
      var low = 0, high = 1000, est = null;
      if (rest.high !== null && part.low + rest.high > 0)
        low = Math.floor(1000 * part.low / (part.low + rest.high));
      if (part.high !== null && part.high + rest.low > 0)
        high = Math.min(1000, Math.ceil(1000 * part.high / (part.high + rest.low)));
      if (part.est + rest.est > 0)
        est = Math.min(high, Math.max(low, Math.round(1000 * part.est / (part.est + rest.est))));
      return {est: est === null ? null : est / 10, low: low / 10, high: high / 10,
              shown: est === null ? (part.high !== null && part.high < MIN ? 'S' : 'range')
                     : shown(part.low, part.high, low, high, est), unit: '%'};
    }
    /* Per domain, in code-list order: the share improved of the clients
     * with a before and an after (improved + same + worse), and the share
     * assessed of the clients seen (every band), each with its range;
     * agencies: how many agencies' assessments the figures hold (the
     * others record none and are not in them).  Only national or
     * regional sums of at least two agencies: a sum of one would be that
     * agency's outcomes, and a reader moving between regions would be
     * comparing agencies (withheld: true, no figures).  null: no outcome
     * figures. */
    function outcomes(period, region) {
      var d = dimByName.outcome;
      if (!d) return null;
      var domains = [];
      d.codes.forEach(function (c) {
        var dom = c[0].split(':')[0];
        if (domains.indexOf(dom) < 0) domains.push(dom);
      });
      var rows = domains.map(function (dom) {
        var f = {}, agencies = null, label = dom;
        var ok = BANDS.every(function (b) {
          var r = cell(period, region, 'outcome', dom + ':' + b);
          if (!r) return false;
          f[b] = fig(r, 'clients');
          agencies = r.agencies;
          label = String(d.label[dom + ':' + b]).split(':')[0];
          return true;
        });
        if (!ok || !agencies) return null;
        var pairs = sum([f.improved, f.same, f.worse]);
        var assessed = sum([f.improved, f.same, f.worse, f.unpaired]);
        var seen = sum(BANDS.map(function (b) { return f[b]; }));
        if (agencies < 2) return {domain: dom, label: label, agencies: agencies, withheld: true};
        return {domain: dom, label: label, agencies: agencies, bands: f,
                pairs: pairs, seen: seen,
                improved: partShare(f.improved, sum([f.same, f.worse])),
                assessed: partShare(assessed, f.not_assessed)};
      }).filter(Boolean);
      return rows.length ? rows : null;
    }

    function quarterNames(p) {
      var y = p.slice(0, 4), q = +p[5];
      var months = [['January', 'March'], ['April', 'June'], ['July', 'September'],
                    ['October', 'December']][q - 1];
      return {short: p, long: months[1] + ' ' + y + ' quarter',
              span: months[0] + ' to ' + months[1] + ' ' + y};
    }

    return {
      D: D, dims: dims, dim: function (n) { return dimByName[n]; },
      region: dims[0], measures: D.measures, outcomes: outcomes,
      /* outcome has its own section: counts of bands are not a breakdown
       * of the clients (only agencies that assess are in them) */
      breakdowns: dims.slice(1).filter(function (d) { return d.name !== 'outcome'; }),
      periods: D.periods, latest: latest, events: events,
      /* every row as an object (made on first use: the pages look rows up) */
      get cells() { return cellAt.all(); },
      get changes() { return changeAt.qoq.all().concat(changeAt.yoy.all()); },
      cell: cell, changeRow: changeRow, changeTotal: changeTotal, fig: fig,
      shown: shown, count: count, share: share, change: change, half: half,
      likeForLike: likeForLike, beforeAfter: beforeAfter, sharesBetween: sharesBetween,
      moved: moved, quarter: quarterNames,
      newShare: newShare, newShareChange: newShareChange, flowCount: flowCount,
      coverage: coverage,
      coverageOf: function (p) {
        return coverage.filter(function (c) { return c.period === p; })[0] || null;
      }
    };
  }

  var api = {model: model};
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  else root.NZFigures = api;
})(this);
