using System.Text.Json;
using TechMarket.Browser.Tests.Infrastructure;

namespace TechMarket.Browser.Tests;

[Collection(BrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed class PwaTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Manifest_service_worker_and_offline_page_are_served_with_the_right_types()
    {
        await using var context = await fixture.NewContextAsync(Viewport.Desktop);
        var http = context.APIRequest;

        var manifest = await http.GetAsync("/manifest.webmanifest");
        Assert.Equal(200, manifest.Status);
        Assert.StartsWith("application/manifest+json", manifest.Headers["content-type"], StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await manifest.TextAsync());
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("name").GetString()));
        var icons = json.RootElement.GetProperty("icons").EnumerateArray().ToList();
        Assert.Contains(icons, icon => icon.GetProperty("sizes").GetString() == "512x512");
        foreach (var icon in icons)
        {
            var image = await http.GetAsync(icon.GetProperty("src").GetString()!);
            Assert.Equal(200, image.Status);
            Assert.Equal(icon.GetProperty("type").GetString(), image.Headers["content-type"]);
        }

        var worker = await http.GetAsync("/sw.js");
        Assert.Equal(200, worker.Status);
        Assert.Contains("javascript", worker.Headers["content-type"], StringComparison.Ordinal);

        var offline = await http.GetAsync("/offline.html");
        Assert.Equal(200, offline.Status);
        Assert.StartsWith("text/html", offline.Headers["content-type"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Viewport.Desktop)]
    [InlineData(Viewport.Phone)]
    public async Task Service_worker_takes_control_of_the_site_on_localhost(Viewport viewport)
    {
        await using var context = await fixture.NewContextAsync(viewport);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await Expect(page.Locator("link[rel=manifest]")).ToHaveAttributeAsync("href", "/manifest.webmanifest");

        // ready never rejects, so bound the wait: a worker that fails to install would hang the test otherwise.
        var scope = await page.EvaluateAsync<string>(
            """
            () => Promise.race([
                navigator.serviceWorker.ready.then(registration => registration.scope),
                new Promise(resolve => setTimeout(() => resolve("not ready after 10 s"), 10000)),
            ])
            """);
        Assert.Equal(new Uri(fixture.BaseAddress, "/").ToString(), scope);
    }
}
