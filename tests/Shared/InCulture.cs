using System.Globalization;

namespace Ledger.Tests;

/// <summary>Runs code under a current culture other than the test host's (risk C1).</summary>
internal static class InCulture
{
    /// <summary>Cultures that break careless code: Turkish casing (i/İ), Japanese and Arabic formats, a Thai
    /// Buddhist and a Persian calendar with native digits, and German decimal commas.</summary>
    public static TheoryData<string> Hostile => new() { "tr-TR", "ja-JP", "ar-SA", "th-TH", "fa-IR", "de-DE" };

    /// <summary>Runs <paramref name="action"/> with <paramref name="name"/> as current culture and UI culture.</summary>
    public static void Run(string name, Action action)
    {
        var (culture, ui) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(name);
            action();
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, ui);
        }
    }

    /// <summary>Runs <paramref name="action"/> with <paramref name="name"/> as current culture and UI culture.</summary>
    public static async Task RunAsync(string name, Func<Task> action)
    {
        var (culture, ui) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(name);
            await action();
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, ui);
        }
    }
}
