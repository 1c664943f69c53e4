using Microsoft.Playwright;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>The distribution's Chromium (<c>/usr/bin/chromium</c>) driven headless by Playwright; browsers are never downloaded.</summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    /// <summary>Where the Debian <c>chromium</c> package puts the browser; <c>.ci/run</c> installs it when CI=true.</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>Starts the browser, or fails with how to install it.</summary>
    public static async Task<HeadlessChromium> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"{ExecutablePath} is missing: this spec drives the dashboard in the distribution's Chromium. Install it with " +
                "'apt-get install -y chromium' (as root); .ci/run does so when CI=true.");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                // Root in a container has no user namespaces for the sandbox; /dev/shm is often tiny there.
                Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
            });
            return new HeadlessChromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
