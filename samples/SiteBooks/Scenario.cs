using Ledger.Kernel;
using SiteBooks.Domain;

namespace SiteBooks;

/// <summary>Generates a day of trading at several sites. Edge inputs (what the tills do, their clocks)
/// come from a seeded generator here, in the app, never in the kernel: the same seed gives the same
/// ops and hashes on every machine.</summary>
public sealed class Scenario
{
    private static readonly string[] Skus = ["LAMP-1", "CHAIR-2", "DESK-3", "SHELF-4", "RUG-5", "MIRROR-6", "VASE-7", "CLOCK-8"];
    private static readonly string[] Customers = ["cust-001", "cust-002", "cust-003", "cust-004", "cust-005", "cust-006"];

    private readonly Random _random;
    private readonly List<Till> _tills;
    private readonly Till _headOffice;
    private readonly List<SequencedOp> _relayOrder = [];

    public Scenario(int seed, int sites, int tillsPerSite)
    {
        _random = new Random(seed);
        _tills = [];
        for (var s = 0; s < sites; s++)
        {
            for (var t = 1; t <= tillsPerSite; t++)
            {
                _tills.Add(new Till(new AuthorId($"site-{(char)('a' + s)}-till-{t}"), 1_767_254_400_000 + _random.Next(0, 60_000)));
            }
        }

        _headOffice = new Till(new AuthorId("hq-till-1"), 1_767_254_400_000);
    }

    /// <summary>The tills (authors), head office first.</summary>
    public IEnumerable<AuthorId> Authors => new[] { _headOffice }.Concat(_tills).Select(t => t.Author);

    /// <summary>The contenders of the last-unit race, in the order they were created (not relay order).</summary>
    public (AuthorId Releaser, AuthorId First, AuthorId Second) Race { get; private set; }

    /// <summary>Generates about <paramref name="ops"/> ops in relay order (position = index).</summary>
    public IReadOnlyList<SequencedOp> Generate(int ops)
    {
        foreach (var till in _tills)
        {
            foreach (var sku in Skus) Emit(till, Books.ReceiveStock, new StockArgs(sku, _random.Next(5, 20)));
        }

        foreach (var sku in Skus) Emit(_headOffice, Books.SetPrice, new PriceArgs(sku, 1_000 + _random.Next(0, 50_000)));

        var raceAt = ops / 2;
        var migrateAt = ops * 3 / 5;
        while (_relayOrder.Count < ops)
        {
            if (_relayOrder.Count >= raceAt && Race == default) StartRace();
            if (_relayOrder.Count >= migrateAt && Adopters.Count == 0) AdoptV2();
            var till = _tills[_random.Next(_tills.Count)];
            var roll = _random.Next(100);
            if (roll < 12)
            {
                Emit(till, Books.ReceiveStock, new StockArgs(Pick(Skus), _random.Next(1, 10)));
            }
            else if (roll < 55)
            {
                var sku = Pick(Skus);
                var quantity = _random.Next(1, 4);
                var invoice = $"{till.Author.Value}-inv-{++till.Invoices}";
                Emit(till, Books.IssueStock, new StockArgs(sku, quantity));
                var invoiceArgs = new InvoiceArgs(invoice, Pick(Customers), quantity * (1_000L + _random.Next(0, 90_000)));
                if (till.OnV2) Emit(till, Books.PostInvoiceV2, invoiceArgs);
                else Emit(till, Books.PostInvoice, invoiceArgs);
                till.Unpaid.Add(invoice);
            }
            else if (roll < 90 && till.Unpaid.Count > 0)
            {
                var i = _random.Next(till.Unpaid.Count);
                Emit(till, Books.RecordPayment, new PaymentArgs(till.Unpaid[i]));
                till.Unpaid.RemoveAt(i);
            }
            else if (roll < 93)
            {
                Emit(_headOffice, Books.SetPrice, new PriceArgs(Pick(Skus), 1_000 + _random.Next(0, 50_000)));
            }
            else
            {
                // A payment for an invoice that does not exist: refused with a stable code on every replica.
                Emit(till, Books.RecordPayment, new PaymentArgs($"{till.Author.Value}-inv-unknown"));
            }
        }

        return _relayOrder;
    }

    /// <summary>The tills that adopted manifest v2 mid-log; the others keep writing v1 ops.</summary>
    public List<AuthorId> Adopters { get; } = [];

    private void AdoptV2()
    {
        foreach (var till in _tills.Where((_, i) => i % 2 == 1))
        {
            Emit(till, Books.AdoptV2, new Ledger.Migration.AdoptArgs(1, 2));
            till.OnV2 = true;
            Adopters.Add(till.Author);
        }
    }

    private void StartRace()
    {
        var releaser = _tills[0];
        var contenders = _tills.Skip(1).OrderBy(_ => _random.Next()).Take(2).ToArray();
        const string sku = "LAMP-1";
        Emit(releaser, Books.ReleaseLastUnits, new ClaimArgs(sku, 1, "release"), Books.LastUnitKey(sku));
        // Both tills claim the last lamp while offline; the relay order decides who gets it.
        var first = _random.Next(2);
        Emit(contenders[first], Books.ClaimLastUnit, new ClaimArgs(sku, 1, $"{contenders[first].Author.Value}-order-lamp"), Books.LastUnitKey(sku));
        Emit(contenders[1 - first], Books.ClaimLastUnit, new ClaimArgs(sku, 1, $"{contenders[1 - first].Author.Value}-order-lamp"), Books.LastUnitKey(sku));
        Race = (releaser.Author, contenders[0].Author, contenders[1].Author);
    }

    private void Emit<TArgs>(Till till, Verb<TArgs> verb, TArgs args, string? claimKey = null)
    {
        till.Clock += _random.Next(500, 90_000);
        var id = new byte[16];
        _random.NextBytes(id);
        id[6] = (byte)((id[6] & 0x0F) | 0x70);
        id[8] = (byte)((id[8] & 0x3F) | 0x80);
        var manifest = till.OnV2 || ReferenceEquals(verb, Books.AdoptV2) ? Books.V2 : Books.V1;
        var op = manifest.CreateOp(verb, args, till.Author, ++till.Seq, till.Tip, new BranchId(till.Author, "main"), till.Clock,
            new Guid(id, bigEndian: true), claimKey);
        till.Tip = op.ChainHash;
        _relayOrder.Add(new SequencedOp(op, _relayOrder.Count));
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private sealed class Till(AuthorId author, long clock)
    {
        public AuthorId Author { get; } = author;

        public long Clock { get; set; } = clock;

        public ulong Seq { get; set; }

        public Hash32 Tip { get; set; }

        public int Invoices { get; set; }

        public List<string> Unpaid { get; } = [];

        public bool OnV2 { get; set; }
    }
}
