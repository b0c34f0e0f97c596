using Ledger.Kernel;

namespace Ledger.Signing;

/// <summary>The key event log lives in the author's own chain as ops of these verbs, on the branch
/// <c>&lt;author&gt;/keys</c>. Signatures are checked by <see cref="AuthorChainVerifier"/> before an op
/// reaches any kernel; folding them records the key state in the books (and so in the state hash).</summary>
public static class KeyEvents
{
    /// <summary>The branch name key events use.</summary>
    public const string BranchName = "keys";

    /// <summary>The table holding each author's key state (row <c>state</c>).</summary>
    public static readonly BranchTable<KeyStateRow> KeyStates = new("ledger.keys");

    /// <summary>The inception verb.</summary>
    public static readonly Incept InceptVerb = new();

    /// <summary>The rotation verb.</summary>
    public static readonly Rotate RotateVerb = new();

    /// <summary>The revocation verb.</summary>
    public static readonly Revoke RevokeVerb = new();

    /// <summary>The manifest every key event names. Replicas must know it (<c>AddLedgerSigning</c> and
    /// <see cref="Use"/> add it); one that does not parks the author loudly, like any unknown manifest.</summary>
    public static readonly Manifest Manifest = new ManifestBuilder("ledger-keys", 1)
        .Table(KeyStates)
        .Add(InceptVerb, RotateVerb, RevokeVerb)
        .Build();

    /// <summary>Adds the key-event manifest to kernel options.</summary>
    public static KernelOptions Use(KernelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Use(Manifest);
    }

    /// <summary>True when the op is a key event.</summary>
    public static bool IsKeyEvent(Op op)
    {
        ArgumentNullException.ThrowIfNull(op);
        return op.Manifest == Manifest.Id && op.Verb.StartsWith("ledger.key.", StringComparison.Ordinal);
    }

    private static Exception RefuseNoInception(VerbContext context)
    {
        context.Refuse("no-inception");
        return Error.InvalidOperation("unreachable: Refuse throws.");
    }

    /// <summary><c>ledger.key.incept</c> v1.</summary>
    public sealed class Incept() : Verb<InceptArgs>("ledger.key.incept", 1, Scope.Branch)
    {
        /// <summary>Decodes strictly: the documented array exactly, canonical, nothing after it.</summary>
        /// <exception cref="LedgerFormatException">Any other bytes, naming the field and offset.</exception>
        public override InceptArgs DecodeArgs(ReadOnlyMemory<byte> args) => KeyEventArgsCodec.DecodeIncept(args);

        /// <summary>Encodes canonically (the encoding <see cref="DecodeArgs"/> accepts).</summary>
        public override byte[] EncodeArgs(InceptArgs args) => KeyEventArgsCodec.Encode(args);

        /// <inheritdoc />
        protected override void Execute(VerbContext context, InceptArgs args)
        {
            if (context.Seq != 1 || context.Branch.Name != BranchName) context.Refuse("inception-out-of-place");
            context.Put(KeyStates, "state", new KeyStateRow(args.PublicKey, args.NextKeyDigest, args.KeyIndex, 1, null, null));
        }
    }

    /// <summary><c>ledger.key.rotate</c> v1.</summary>
    public sealed class Rotate() : Verb<RotateArgs>("ledger.key.rotate", 1, Scope.Branch)
    {
        /// <summary>Decodes strictly: the documented array exactly, canonical, nothing after it.</summary>
        /// <exception cref="LedgerFormatException">Any other bytes, naming the field and offset.</exception>
        public override RotateArgs DecodeArgs(ReadOnlyMemory<byte> args) => KeyEventArgsCodec.DecodeRotate(args);

        /// <summary>Encodes canonically (the encoding <see cref="DecodeArgs"/> accepts).</summary>
        public override byte[] EncodeArgs(RotateArgs args) => KeyEventArgsCodec.Encode(args);

        /// <inheritdoc />
        protected override void Execute(VerbContext context, RotateArgs args)
        {
            if (context.Branch.Name != BranchName) context.Refuse("key-event-out-of-place");
            if (!context.TryGet(KeyStates, "state", out var state)) throw RefuseNoInception(context);
            context.Put(KeyStates, "state", state with { PublicKey = args.PublicKey, NextKeyDigest = args.NextKeyDigest, KeyIndex = args.KeyIndex, Events = state.Events + 1 });
        }
    }

    /// <summary><c>ledger.key.revoke</c> v1.</summary>
    public sealed class Revoke() : Verb<RevokeArgs>("ledger.key.revoke", 1, Scope.Branch)
    {
        /// <summary>Decodes strictly: the documented array exactly, canonical, nothing after it.</summary>
        /// <exception cref="LedgerFormatException">Any other bytes, naming the field and offset.</exception>
        public override RevokeArgs DecodeArgs(ReadOnlyMemory<byte> args) => KeyEventArgsCodec.DecodeRevoke(args);

        /// <summary>Encodes canonically (the encoding <see cref="DecodeArgs"/> accepts).</summary>
        public override byte[] EncodeArgs(RevokeArgs args) => KeyEventArgsCodec.Encode(args);

        /// <inheritdoc />
        protected override void Execute(VerbContext context, RevokeArgs args)
        {
            if (context.Branch.Name != BranchName) context.Refuse("key-event-out-of-place");
            if (!context.TryGet(KeyStates, "state", out var state)) throw RefuseNoInception(context);
            context.Put(KeyStates, "state", new KeyStateRow(args.PublicKey, args.NextKeyDigest, args.KeyIndex, state.Events + 1, context.Seq, args.DisputedSinceSeq));
        }
    }
}
