using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using TechMarket.Browser.Tests.Infrastructure;
using TechMarket.Kernel.Persistence;
using TechMarket.Testing;

namespace TechMarket.Browser.Tests;

/// <summary>
/// The whole order flow in two browsers at once: a buyer on a phone (360×800) and a seller on a laptop (1280×800),
/// against the real app on Kestrel with its embedded sandbox bank, so the payment goes through the bank's page and
/// the RSA2-signed callback like in production.
/// </summary>
[Trait("Category", "Browser")]
public sealed partial class OrderJourneyTests : IAsyncLifetime
{
    private const string Buyer = "13800000001";
    private const string Seller = "enterprise@techmarket.demo";

    private OrderJourneyApp? app;
    private IPlaywright? playwright;
    private IBrowser? browser;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        app = new OrderJourneyApp();
        app.StartServer();
        SetDefaultExpectTimeout(20_000);
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = TestEnvironment.Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu"] });
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }

        playwright?.Dispose();
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Buyer_orders_seller_sees_it_live_changes_the_price_buyer_pays_at_the_bank_seller_delivers_and_escrow_is_released()
    {
        var title = $"浏览器下单测试成果 {Guid.NewGuid().ToString("N")[..6]}";
        var listingId = await PublishAsync(title, 2_000m);

        await using var sellerContext = await NewContextAsync(phone: false);
        await using var buyerContext = await NewContextAsync(phone: true);
        var seller = await sellerContext.NewPageAsync();
        var buyer = await buyerContext.NewPageAsync();
        await LogInAsync(seller, Seller);
        await LogInAsync(buyer, Buyer);

        // The seller watches the console; the buyer orders on the phone.
        await seller.GotoAsync("/orders/console");
        await buyer.GotoAsync($"/orders/new/{listingId}");
        await buyer.Locator("#contactName").FillAsync("张三");
        await buyer.Locator("#contactPhone").FillAsync("13800000001");
        await buyer.Locator("[data-testid=place-order]").ClickAsync();
        await Expect(buyer).ToHaveURLAsync(OrderUrl());
        var orderUrl = new Uri(buyer.Url).AbsolutePath;
        await Expect(buyer.Locator("[data-testid=order-amount]")).ToContainTextAsync("2,000.00");

        // Live on the seller's console, without reloading.
        await Expect(seller.Locator("[data-testid=order-toast]").First).ToBeVisibleAsync();
        await Expect(seller.Locator("[data-live-region=console]")).ToContainTextAsync(title);

        // The seller changes the price; the buyer's page shows it live.
        await seller.GotoAsync(orderUrl);
        await seller.Locator("#amount").FillAsync("1888.00");
        await seller.Locator("#price-reason").FillAsync("含两天现场培训");
        await seller.Locator("[data-testid=change-price]").ClickAsync();
        await Expect(seller.Locator("[data-testid=order-amount]")).ToContainTextAsync("1,888.00");
        await Expect(buyer.Locator("[data-testid=order-toast]").First).ToContainTextAsync("1888");
        await Expect(buyer.Locator("[data-testid=order-amount]")).ToContainTextAsync("1,888.00");
        // The pay button's label follows live too, and the buyer is told the price moved.
        await Expect(buyer.Locator("[data-testid=pay]")).ToContainTextAsync("1,888.00");
        await Expect(buyer.Locator("[data-testid=pay-changed]")).ToContainTextAsync("2,000.00");

        // The seller waits on the console; the buyer pays the new amount at the sandbox bank, without reloading.
        await seller.GotoAsync("/orders/console");
        await buyer.Locator("[data-testid=pay]").ClickAsync();
        await Expect(buyer).ToHaveURLAsync(CheckoutUrl());
        await buyer.Locator("a[data-gateway=alipay]").ClickAsync();
        // The checkout page's link is the signed request; the bank shows the new amount.
        await Expect(buyer).ToHaveURLAsync(BankUrl());
        await Expect(buyer.Locator("strong").Filter(new() { HasText = "¥1888.00" })).ToBeVisibleAsync();
        await buyer.Locator("button[data-action=confirm]").ClickAsync();
        await Expect(buyer).ToHaveURLAsync(PaymentResultUrl());

        // The bank's signed callback marks the order paid; the seller is prompted to deliver.
        await Expect(seller.Locator("[data-testid=order-toast]").Filter(new() { HasText = "已付款" })).ToBeVisibleAsync();
        await seller.GotoAsync(orderUrl);
        await Expect(seller.Locator("[data-testid=order-state]")).ToContainTextAsync("已付款");
        await seller.Locator("#note").FillAsync("技术资料包与培训安排见附件");
        await seller.Locator("#files").SetInputFilesAsync(new FilePayload { Name = "工艺说明.pdf", MimeType = "application/pdf", Buffer = "%PDF-1.7 browser journey"u8.ToArray() });
        await seller.Locator("[data-testid=deliver]").ClickAsync();
        await Expect(seller.Locator("[data-testid=order-state]")).ToContainTextAsync("已交付");

        // The buyer accepts; escrow goes to the seller and the order completes.
        await buyer.GotoAsync(orderUrl);
        await Expect(buyer.GetByText("工艺说明.pdf")).ToBeVisibleAsync();
        await buyer.Locator("[data-testid=accept]").ClickAsync();
        await Expect(buyer.Locator("[data-testid=order-state]")).ToContainTextAsync("已完成");
        await Screenshots.SaveAsync(buyer, "order-completed-phone");

        using var api = await ApiAsync(Buyer);
        var orderId = Guid.Parse(orderUrl.Split('/')[^1]);
        var detail = (await api.GetFromJsonAsync<JsonElement>($"/api/v1/orders/{orderId}")).GetProperty("order");
        Assert.Equal(("Completed", true, 1888.00m), (detail.GetProperty("state").GetString(), detail.GetProperty("escrowReleased").GetBoolean(), detail.GetProperty("paidAmount").GetDecimal()));
    }

    private Task<IBrowserContext> NewContextAsync(bool phone) =>
        browser!.NewContextAsync(phone
            ? new() { BaseURL = app!.BaseUrl, Locale = "zh-CN", ViewportSize = new() { Width = 360, Height = 800 }, IsMobile = true, HasTouch = true, DeviceScaleFactor = 2 }
            : new() { BaseURL = app!.BaseUrl, Locale = "zh-CN", ViewportSize = new() { Width = 1280, Height = 800 } });

    private static async Task LogInAsync(IPage page, string account)
    {
        await page.GotoAsync("/account/login");
        await page.Locator("#account").FillAsync(account);
        await page.Locator("#password").FillAsync(Site.DemoPassword);
        await page.Locator("main button[type=submit]").ClickAsync();
        await Expect(Site.LogoutForm(page)).ToHaveCountAsync(1);
    }

    private async Task<HttpClient> ApiAsync(string account)
    {
        var http = new HttpClient { BaseAddress = new Uri(app!.BaseUrl) };
        var token = await http.PostAsJsonAsync("/api/v1/auth/token", new { account, password = Site.DemoPassword });
        token.EnsureSuccessStatusCode();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
        return http;
    }

    /// <summary>The seller publishes an ordinary licence and the operator approves it (through the API).</summary>
    private async Task<Guid> PublishAsync(string title, decimal price)
    {
        using var seller = await ApiAsync(Seller);
        var created = await seller.PostAsJsonAsync("/api/v1/listings?submit=true", new
        {
            title,
            type = "Patent",
            modes = new[] { "OrdinaryLicense" },
            pricing = "Fixed",
            price,
            maturity = "Pilot",
            trl = 6,
            field = "NewMaterials",
            province = "35",
            city = "福州",
            patentNumber = "CN202310777888.1",
            patentStatus = "Granted",
            @abstract = "用于浏览器端到端测试的技术成果：下单、改价、付款、交付、验收全流程。",
            description = "<p>工艺说明</p>",
            tags = "测试,订单",
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var reviewer = await ApiAsync(Site.OperatorAccount);
        Assert.Equal(HttpStatusCode.OK, (await reviewer.PostAsync($"/api/v1/operator/listings/{id}/approve", null)).StatusCode);
        return id;
    }

    [GeneratedRegex(@"/orders/[0-9a-f-]{36}$")]
    private static partial Regex OrderUrl();

    [GeneratedRegex(@"/payments/ORD[^/]+/checkout$")]
    private static partial Regex CheckoutUrl();

    [GeneratedRegex(@"/gateway\.do\?")]
    private static partial Regex BankUrl();

    [GeneratedRegex(@"/payments")]
    private static partial Regex PaymentResultUrl();

    /// <summary>The app on a fixed loopback port (the bank's notify URL points at it) with the sandbox bank embedded.</summary>
    private sealed class OrderJourneyApp : TechMarketApp
    {
        public OrderJourneyApp()
            : base(DatabaseProvider.Sqlite)
        {
            var port = FreePort();
            BaseUrl = $"http://127.0.0.1:{port}";
            Settings["Payments:PublicBaseUrl"] = BaseUrl;
            Settings["Payments:SandboxBank:Autostart"] = "true";
            Settings["Payments:SandboxBank:Url"] = $"http://127.0.0.1:{FreePort()}";
            Settings["Payments:SandboxBank:KeyFolder"] = Path.Combine(Path.GetTempPath(), "tm-orders-bank-" + Guid.NewGuid().ToString("N"));
            UseKestrel(port);
        }

        public string BaseUrl { get; }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseStaticWebAssets();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
