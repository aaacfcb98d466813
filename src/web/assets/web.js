// Progressive enhancement only: every page works without this file.
// On the escalation form, the subcategory list shows only those of the chosen category.
(function () {
  'use strict';
  var category = document.getElementById('categoryCode');
  var sub = document.getElementById('subcategoryCode');
  if (!category || !sub) return;
  function filter() {
    var groups = sub.querySelectorAll('optgroup');
    for (var i = 0; i < groups.length; i++) {
      var match = !category.value || groups[i].getAttribute('data-category') === category.value;
      groups[i].hidden = !match;
      groups[i].disabled = !match;
    }
  }
  category.addEventListener('change', filter);
  filter();
})();

// On the escalation form, the organisations to share with show for TLP:AMBER only, the people
// to name for TLP:RED only (the server ignores the lists of other levels anyway).
(function () {
  'use strict';
  var tlp = document.getElementById('tlp');
  var organizations = document.getElementById('share-organizations');
  var people = document.getElementById('share-users');
  if (!tlp || !organizations || !people) return;
  function toggle() {
    organizations.hidden = tlp.value !== 'AMBER';
    people.hidden = tlp.value !== 'RED';
  }
  tlp.addEventListener('change', toggle);
  toggle();
})();

// On the escalation form, the guidance (playbook, open incidents) of the chosen channel only;
// without this file every channel's guidance is listed, closed.
(function () {
  'use strict';
  var channel = document.getElementById('channel');
  var box = document.getElementById('channel-guidance');
  if (!channel || !box) return;
  var blocks = box.querySelectorAll('details[data-channel]');
  function show() {
    var any = false;
    for (var i = 0; i < blocks.length; i++) {
      var match = blocks[i].getAttribute('data-channel') === channel.value;
      blocks[i].hidden = !match;
      if (match) blocks[i].open = true;
      any = any || match;
    }
    box.hidden = !any;
  }
  channel.addEventListener('change', show);
  show();
})();
