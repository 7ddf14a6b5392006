/* words.js: how the dashboard and the report write figures and the
 * sentences generated from them.  A figure is written as its shown kind
 * says (figures.js): a number with its range beside it, a range alone
 * ("428–996"), or S (fewer than 6); never a bare number whose range
 * holds values under 6.  No sentence holds a hand-written number. */
(function (root) {
  'use strict';

  /* en-NZ's digits of a number as Intl.NumberFormat writes them (up to 3
   * decimals): a number whose shortest form has no more decimals than
   * that is grouped here ("12,345.6"), any other goes to Intl, made when
   * first needed (its making costs a page some 50 ms on load) */
  var NF = null;
  function digits(a) {
    var m = /^(\d+)(\.\d{1,3})?$/.exec(String(a));
    if (m) return m[1].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (m[2] || '');
    return (NF || (NF = new Intl.NumberFormat('en-NZ'))).format(a);
  }
  var MINUS = '\u2212', DASH = '\u2013';
  var MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July',
                'August', 'September', 'October', 'November', 'December'];

  function num(v, unit) {
    if (v === null || v === undefined) return '';
    var s = unit === '%' ? Math.abs(v).toFixed(1) : digits(Math.abs(v));
    return (v < 0 ? MINUS : '') + s + (unit || '');
  }
  function signed(v, unit) {
    return (v > 0 ? '+' : '') + num(v, unit);
  }
  /* "1,546–1,562", "428 or more"; signed for changes */
  function range(f, unit, sign) {
    var w = sign ? signed : num;
    if (f.high === null || f.high === undefined) return w(f.low, unit) + ' or more';
    if (unit === '%' || sign) return w(f.low, unit) + ' to ' + w(f.high, unit);
    return num(f.low) + DASH + num(f.high);
  }
  /* the figure as shown: {text, range (beside a number), title} */
  function figure(f, unit) {
    if (!f || f.est === null || f.est === undefined)
      return {text: 'no figure', range: '', kind: 'none', title: 'no figure'};
    if (f.shown === 'S')
      return {text: 'S', range: '', kind: 'S', title: 'fewer than 6 (suppressed)'};
    if (f.shown === 'range')
      return {text: range(f, unit), range: '', kind: 'range',
              title: 'somewhere in this range; too uncertain for one number'};
    return {text: num(f.est, unit), range: range(f, unit), kind: 'number',
            title: 'estimate; the true value lies in ' + range(f, unit)};
  }
  /* in a sentence: "1,554 (1,546–1,562)", "between 428 and 996", "fewer than 6" */
  function figurePhrase(f, unit) {
    var g = figure(f, unit);
    if (g.kind === 'S') return 'fewer than 6';
    if (g.kind === 'range')
      return f.high === null ? num(f.low, unit) + ' or more' :
        'between ' + num(f.low, unit) + ' and ' + num(f.high, unit);
    return g.text + ' (' + g.range + ')';
  }
  /* a change in a table cell: the change, or only its range when its
   * levels are not both numbers */
  function changeText(ch) {
    if (ch.delta.shown === 'number') return signed(ch.delta.est);
    return range(ch.delta, '', true);
  }
  function pctText(p) {
    return p ? signed(p.est, '%') : '';
  }

  function agenciesPhrase(matched) {
    if (Array.isArray(matched))
      return matched[0] === matched[1] ? agenciesPhrase(matched[0]) :
        'across the same ' + matched[0] + ' and ' + matched[1] +
        ' agencies (each quarter like for like)';
    return matched === 1 ? 'at the same agency' :
      'across the same ' + matched + ' agencies';
  }
  /* whole percentages, rounded outwards, for sentences */
  function wholePct(v, up) { return up ? Math.ceil(v - 1e-9) : Math.floor(v + 1e-9); }
  function wholeSigned(v) { return (v > 0 ? '+' : v < 0 ? MINUS : '') + Math.abs(v) + '%'; }

  /* "up 29% (27% to 31%) on a year ago across the same 3 agencies";
   * where the change's range includes no change: "about the same as a
   * year ago (−2% to +3%)" */
  function changePhrase(ch, on, as, quiet) {
    if (!ch) return 'no comparison with ' + as + ' yet';
    var p = ch.pct, who = quiet ? '' : ' ' + agenciesPhrase(ch.matched);
    if (!ch.beyond) {
      var r = p ? wholeSigned(wholePct(p.low, false)) + ' to ' +
        (p.high === null ? 'no limit' : wholeSigned(wholePct(p.high, true)))
        : range(ch.delta, '', true);
      return 'about the same as ' + as + ' (' + r + ')' + who;
    }
    var up = ch.delta.est > 0, dir = up ? 'up ' : 'down ';
    if (p) {
      var a = Math.abs(p.low), b = p.high === null ? null : Math.abs(p.high);
      var lo = Math.min(a, b === null ? a : b), hi = b === null ? null : Math.max(a, b);
      return dir + Math.abs(Math.round(p.est)) + '% (' + wholePct(lo, false) + '% to ' +
        (hi === null ? 'no limit' : wholePct(hi, true) + '%') + ') on ' + on + who;
    }
    if (ch.delta.shown === 'number')
      return dir + num(Math.abs(ch.delta.est)) + ' (' + range(ch.delta, '', true) + ') on ' +
        on + who;
    return dir + 'by ' + range({low: Math.abs(up ? ch.delta.low : ch.delta.high),
      high: up ? ch.delta.high : Math.abs(ch.delta.low)}) + ' on ' + on + who;
  }

  /* one sentence per measure: its level in the quarter, then its change
   * on a year ago and on the quarter before, like for like; the agencies
   * compared are named once when both comparisons have the same number */
  function headline(title, level, yoy, qoq, quarterLong) {
    var same = yoy && qoq && yoy.matched === qoq.matched;
    return title + ': ' + figurePhrase(level) + ' in the ' + quarterLong + ', ' +
      changePhrase(yoy, 'a year ago', 'a year ago', same) + (same ? ' and ' : '; ') +
      changePhrase(qoq, 'the quarter before', 'the quarter before', same) +
      (same ? ', ' + agenciesPhrase(yoy.matched) : '') + '.';
  }

  /* a half-year total and its change on the same half a year before */
  function halfSentence(title, h, name) {
    return title + ' in ' + name + ': ' + figurePhrase(h.total) + ' in total, ' +
      changePhrase(h.change, 'the same half a year before',
                   'the same half a year before') + '.';
  }
  /* a group's share of clients in two quarters */
  function sharePhrase(label, r, period, basePeriod) {
    return label + ': ' + figurePhrase(r.after, '%') + ' of clients in ' + period +
      ', against ' + figurePhrase(r.before, '%') + ' in ' + basePeriod;
  }

  /* the disclosure rules of a manifest, in plain words */
  function rules(r) {
    return 'Counts of people under ' + r.threshold + ' are hidden (S)' +
      (r.base > 1 ? ' and every other count is rounded at random to a multiple of ' +
       r.base : '') + '; visits and things given are hidden where fewer than ' +
      r.sum_min_clients + ' people were helped (rules "' + r.name + '", version ' +
      r.version + ').';
  }

  function date(iso) {
    var y = +iso.slice(0, 4), m = +iso.slice(5, 7), d = +iso.slice(8, 10);
    return d + ' ' + MONTHS[m - 1] + ' ' + y;
  }
  function monthYear(iso) {
    return MONTHS[+iso.slice(5, 7) - 1].slice(0, 3) + ' ' + iso.slice(0, 4);
  }

  /* CSV text of columns and rows: minimal quoting, LF, as our files */
  function csv(columns, rows) {
    function field(v) {
      if (v === null || v === undefined) return '';
      if (Array.isArray(v)) v = v.join('|');
      v = String(v);
      return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
    }
    return [columns].concat(rows).map(function (r) {
      return r.map(field).join(',');
    }).join('\n') + '\n';
  }

  var api = {num: num, signed: signed, range: range, figure: figure,
             figurePhrase: figurePhrase, changeText: changeText, pctText: pctText,
             changePhrase: changePhrase, agenciesPhrase: agenciesPhrase,
             headline: headline, halfSentence: halfSentence,
             sharePhrase: sharePhrase, rules: rules, date: date, monthYear: monthYear, csv: csv,
             DASH: DASH, MINUS: MINUS};
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  else root.NZWords = api;
})(this);
