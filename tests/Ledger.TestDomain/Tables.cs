using Ledger.Kernel;

namespace Ledger.TestDomain;

/// <summary>The test domain's tables: one of every kind.</summary>
public static class Tables
{
    public static readonly BranchTable<Note> Notes = new("notes");
    public static readonly BranchTable<long> Stock = new("stock");
    public static readonly BranchTable<Invoice> Invoices = new("invoices");
    public static readonly CounterTable Balances = new("balances");
    public static readonly MaxTable Peaks = new("peaks");
    public static readonly MinTable Floors = new("floors");
    public static readonly SetTable Tags = new("tags");
    public static readonly LwwTable<long> Prices = new("prices");
    public static readonly ClaimTable<Pool> Pools = new("pools");
    public static readonly CorrectionTable<Backorder> Backorders = new("backorders");

    /// <summary>A handle that disagrees with the declaration of "balances" (declared Counter).</summary>
    public static readonly MaxTable BalancesAsMax = new("balances");

    /// <summary>A table no manifest declares.</summary>
    public static readonly CounterTable Undeclared = new("undeclared");

    public static IEnumerable<Table> All => [Notes, Stock, Invoices, Balances, Peaks, Floors, Tags, Prices, Pools, Backorders];
}
