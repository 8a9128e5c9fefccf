/*global document, location, localStorage, navigator, Option, URLSearchParams */
// The demo pages' language menu (README "Theme and languages"): the elements follow <html lang>,
// which this sets from `?lang=fr` (or `en`, `zh-Hans`), else the choice kept from the menu, else
// the browser's languages. The page's own explanations stay in English. A classic script in <head>:
// it runs before the elements connect, so they render in that language from the start.
(function () {
  var KEY = 'rtc-demo:lang';
  var NAMES = { en: 'English', fr: 'Français', 'zh-Hans': '简体中文' };
  function match(tag) {
    var language = String(tag || '').toLowerCase().split(/[-_]/)[0];
    return language === 'zh' ? 'zh-Hans' : NAMES[language] ? language : '';
  }
  function stored() {
    try { return localStorage.getItem(KEY) || ''; } catch (e) { return ''; }
  }
  function browser() {
    var list = navigator.languages || [navigator.language];
    for (var i = 0; i < list.length; i++) if (match(list[i])) return match(list[i]);
    return 'en';
  }
  var asked = match(new URLSearchParams(location.search).get('lang')) || match(stored());
  document.documentElement.lang = asked || browser();
  document.addEventListener('DOMContentLoaded', function () {
    var header = document.querySelector('header');
    if (!header) return;
    var label = document.createElement('label');
    label.textContent = 'Language ';
    var select = document.createElement('select');
    select.appendChild(new Option('Auto (' + NAMES[browser()] + ')', ''));
    Object.keys(NAMES).forEach(function (code) {
      var option = new Option(NAMES[code], code);
      option.lang = code;
      select.appendChild(option);
    });
    select.value = asked;
    select.addEventListener('change', function () {
      try { localStorage.setItem(KEY, select.value); } catch (e) { /* the choice lasts for this page */ }
      asked = select.value;
      document.documentElement.lang = asked || browser();
    });
    label.appendChild(select);
    header.appendChild(label);
  });
})();
