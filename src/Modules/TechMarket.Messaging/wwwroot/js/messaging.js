// Live notifications (header bell) and chat for the server-rendered pages. Messages are always inserted with
// textContent, never as HTML. Without this script (or without a connection) the pages still work through forms.
(function () {
  'use strict';
  var bell = document.querySelector('[data-notification-count]');
  var chat = document.querySelector('[data-chat]');
  if (!bell || typeof signalR === 'undefined') { return; }

  var connection = new signalR.HubConnectionBuilder()
    .withUrl('/hubs/messaging')
    .withAutomaticReconnect()
    .build();

  connection.on('notification', function (e) {
    bell.textContent = String(e.unread);
    bell.hidden = e.unread === 0;
  });

  if (chat) {
    var conversationId = chat.getAttribute('data-conversation-id');
    var me = chat.getAttribute('data-me');
    var typingLine = document.querySelector('[data-chat-typing]');
    var errorLine = document.querySelector('[data-chat-error]');
    var form = document.querySelector('[data-chat-form]');
    var input = form ? form.querySelector('textarea') : null;
    var typingTimer = null;
    var lastTyping = 0;

    var scrollToEnd = function () { chat.scrollTop = chat.scrollHeight; };
    var showError = function (text) { if (errorLine) { errorLine.textContent = text; errorLine.hidden = !text; } };

    var append = function (m) {
      if (chat.querySelector('[data-message-id="' + m.id + '"]')) { return; }
      var item = document.createElement('li');
      item.className = 'chat-message ' + (m.senderId === me ? 'mine' : 'theirs');
      item.setAttribute('data-message-id', String(m.id));
      var body = document.createElement('p');
      body.className = 'chat-body';
      body.textContent = m.body;
      var time = document.createElement('span');
      time.className = 'small muted';
      time.textContent = new Date(m.sentAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      item.appendChild(body);
      item.appendChild(time);
      chat.appendChild(item);
      scrollToEnd();
    };

    connection.on('message', function (m) {
      if (m.conversationId !== conversationId) { return; }
      append(m);
      if (typingLine) { typingLine.hidden = true; }
      if (m.senderId !== me && document.visibilityState === 'visible') {
        connection.invoke('MarkRead', conversationId, m.id).catch(function () { });
      }
    });

    connection.on('typing', function (e) {
      if (e.conversationId !== conversationId || !typingLine) { return; }
      typingLine.textContent = chat.getAttribute('data-text-typing');
      typingLine.hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { typingLine.hidden = true; }, 3000);
    });

    connection.on('read', function (e) {
      if (e.conversationId !== conversationId) { return; }
      chat.querySelectorAll('.chat-message.mine').forEach(function (item) {
        if (Number(item.getAttribute('data-message-id')) <= e.messageId && !item.querySelector('.chat-read')) {
          var read = document.createElement('span');
          read.className = 'small muted chat-read';
          read.textContent = ' ' + chat.getAttribute('data-text-read');
          item.appendChild(read);
        }
      });
    });

    if (form && input) {
      form.addEventListener('submit', function (event) {
        if (connection.state !== signalR.HubConnectionState.Connected) { return; }
        event.preventDefault();
        var text = input.value;
        if (!text.trim()) { return; }
        connection.invoke('Send', conversationId, text).then(function (m) {
          input.value = '';
          showError('');
          append(m);
        }).catch(function (err) {
          // The hub's message is already localized (e.g. the flood limit); strip SignalR's prefix.
          var message = String(err && err.message || err);
          var marker = 'HubException: ';
          showError(message.indexOf(marker) >= 0 ? message.substring(message.indexOf(marker) + marker.length) : message);
        });
      });
      input.addEventListener('input', function () {
        var now = Date.now();
        if (now - lastTyping > 2000 && connection.state === signalR.HubConnectionState.Connected) {
          lastTyping = now;
          connection.invoke('Typing', conversationId).catch(function () { });
        }
      });
      input.addEventListener('keydown', function (event) {
        if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          form.requestSubmit();
        }
      });
    }

    connection.onreconnecting(function () { showError(chat.getAttribute('data-text-offline')); });
    connection.onreconnected(function () { showError(''); });
    scrollToEnd();
  }

  connection.start().catch(function () { /* pages keep working through their forms */ });
}());
