using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;

namespace TechMarket.Messaging.Tests;

/// <summary>A member as an app sees them: a bearer client, their id, and a hub connection recording what is pushed.</summary>
internal sealed class Participant : IAsyncDisposable
{
    private readonly Dictionary<string, Channel<JsonElement>> events = [];

    private Participant(HttpClient api, Guid id, HubConnection hub)
    {
        Api = api;
        Id = id;
        Hub = hub;
        foreach (var name in new[] { "message", "typing", "read", "notification", "support-queue" })
        {
            var channel = Channel.CreateUnbounded<JsonElement>();
            events[name] = channel;
            hub.On<JsonElement>(name, e => channel.Writer.TryWrite(e));
        }
    }

    public HttpClient Api { get; }

    public Guid Id { get; }

    public HubConnection Hub { get; }

    /// <summary>Connects over WebSockets with the token in ?access_token= (what a browser app must do) or over long polling with the header.</summary>
    public static async Task<Participant> ConnectAsync<TEntry>(WebApplicationFactory<TEntry> node, HttpClient api, bool webSockets = true, bool start = true)
        where TEntry : class
    {
        var me = await api.GetFromJsonAsync<JsonElement>("/api/v1/me");
        var token = api.DefaultRequestHeaders.Authorization!.Parameter!;
        var server = node.Server;
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/messaging"), o =>
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                o.HttpMessageHandlerFactory = _ => server.CreateHandler();
                if (webSockets)
                {
                    o.Transports = HttpTransportType.WebSockets;
                    o.SkipNegotiation = true;
                    // What a browser must do (it cannot set headers on a WebSocket): the token rides in ?access_token=.
                    o.WebSocketFactory = async (context, ct) =>
                    {
                        var query = string.IsNullOrEmpty(context.Uri.Query) ? "" : context.Uri.Query[1..] + "&";
                        var uri = new UriBuilder(context.Uri) { Query = query + "access_token=" + Uri.EscapeDataString(token) }.Uri;
                        return await server.CreateWebSocketClient().ConnectAsync(uri, ct);
                    };
                }
                else
                {
                    o.Transports = HttpTransportType.LongPolling;
                }
            })
            .Build();
        var participant = new Participant(api, me.GetProperty("id").GetGuid(), hub);
        if (start)
        {
            await hub.StartAsync();
        }

        return participant;
    }

    public async Task<JsonElement> NextAsync(string name, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await events[name].Reader.ReadAsync(cts.Token);
    }

    public bool TryNext(string name, out JsonElement value) => events[name].Reader.TryRead(out value);

    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        Api.Dispose();
    }
}

internal static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(100);
        }
    }
}
