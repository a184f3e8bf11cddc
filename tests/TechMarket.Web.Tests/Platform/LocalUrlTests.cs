using TechMarket.Kernel.Http;

namespace TechMarket.Web.Tests.Platform;

public sealed class LocalUrlTests
{
    [Theory]
    [InlineData("/account/verification", "/account/verification")]
    [InlineData("/operator/verifications?status=Pending", "/operator/verifications?status=Pending")]
    [InlineData("//evil.example/steal", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("javascript:alert(1)", "/")]
    [InlineData("", "/")]
    [InlineData(null, "/")]
    public void Return_urls_stay_on_this_site(string? url, string expected) =>
        Assert.Equal(expected, LocalUrl.OrHome(url));
}
