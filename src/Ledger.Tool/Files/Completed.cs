namespace Ledger.Tool;

/// <summary>Results of store calls the tool makes on in-memory stores (it reads files into them itself): those
/// complete synchronously, and a command runs on a thread without a synchronization context, so taking the result
/// here blocks nothing and cannot deadlock.</summary>
internal static class Completed
{
    public static T Of<T>(Task<T> task) => task.GetAwaiter().GetResult();

    public static void Of(Task task) => task.GetAwaiter().GetResult();

    public static List<T> All<T>(IAsyncEnumerable<T> items) => items.ToListAsync().AsTask().GetAwaiter().GetResult();
}
