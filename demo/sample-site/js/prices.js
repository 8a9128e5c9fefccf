/* global window, location, URLSearchParams, fetch, document -- a page of the sample site, run in the browser */
// Reads the price list with fetch() (a relative URL: answered from the master's database) and
// filters it by the query string of the search form.
import { money } from './format.js';

// On the blob path the query string is in window.rtcSite.search (a Blob URL cannot carry one);
// on the Service Worker path it is in location.search.
const search = window.rtcSite ? window.rtcSite.search : location.search;
const q = (new URLSearchParams(search).get('q') || '').trim().toLowerCase();

const response = await fetch('data/prices.json');
const list = await response.json();
const rows = list.items.filter((item) => !q || item.name.toLowerCase().includes(q));
const body = document.querySelector('#prices tbody');
for (const item of rows) {
  const tr = document.createElement('tr');
  for (const [text, cls] of [[item.name, ''], [item.unit, ''], [money(item.price, list.currency), 'num']]) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.append(td);
  }
  body.append(tr);
}
document.querySelector('#q').value = q;
document.querySelector('#status').textContent = q
  ? `${rows.length} of ${list.items.length} items match “${q}” (list of ${list.updated}).`
  : `${list.items.length} items (list of ${list.updated}).`;
