using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;

namespace Ledger.Sync.Tests;

public class SignedNoteTests
{
    private const string ExampleVkey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    private const string ExampleNote = "This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

    [Fact]
    [Trait("Risk", "D4")]
    public void The_c2sp_example_note_verifies_with_the_example_verifier_key()
    {
        Assert.True(NoteKey.TryParseVkey(ExampleVkey, out var key));
        Assert.Equal(ExampleVkey, key!.ToVkey());
        var note = SignedNote.Parse(Encoding.UTF8.GetBytes(ExampleNote));
        Assert.Equal("This is an example message.\n", note.Text);
        Assert.True(note.Verify([key]).Ok);
        Assert.Equal(ExampleNote, note.ToString());
    }

    [Fact]
    [Trait("Risk", "D4")]
    public void Verifier_keys_round_trip_for_any_key_even_when_their_base64_holds_a_plus()
    {
        var plus = 0;
        for (uint i = 0; i < 200; i++)
        {
            var key = NoteKey.Create("relay.example/log" + i, World.Key("vkey", i).Public, i % 2 == 0 ? NoteKey.Ed25519 : NoteKey.Cosignature);
            var text = key.ToVkey();
            if (text.Split('+').Length > 3) plus++;
            Assert.True(NoteKey.TryParseVkey(text, out var back), text);
            Assert.Equal((key.Name, key.Id, key.Type), (back!.Name, back.Id, back.Type));
        }

        Assert.True(plus > 0, "no generated key had a '+' in its base64; the case is not exercised");
        Assert.False(NoteKey.TryParseVkey("relay.example/log+00000000+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", out _));
    }

    [Fact]
    [Trait("Risk", "D4")]
    public void Unknown_keys_are_ignored_a_known_key_that_fails_rejects_and_sixteen_signatures_are_accepted()
    {
        var relayKey = World.Key("relay", 0);
        var relay = NoteKey.Create("relay.example/log", relayKey.Public);
        var note = new RelayCheckpoint("relay.example/log", 3, Hash32.Sha256("root"u8)).Sign(relayKey);
        for (var i = 0; i < 16; i++)
        {
            note = note.With(new NoteSignature("witness.example/w" + i, (uint)i, new byte[72]));
        }

        var parsed = SignedNote.Parse(note.ToBytes());
        Assert.Equal(17, parsed.Signatures.Count);
        Assert.True(parsed.Verify([relay]).Ok);

        var impostor = NoteKey.Create("relay.example/log", World.Key("other", 0).Public);
        Assert.False(parsed.Verify([impostor]).Ok);
        var bad = parsed.With(new NoteSignature(relay.Name, relay.Id, new byte[64]));
        Assert.False(bad.Verify([relay]).Ok);
    }

    [Fact]
    [Trait("Risk", "D4")]
    public void A_cosignature_verifies_under_its_witness_key_and_fails_when_the_checkpoint_changes()
    {
        var relayKey = World.Key("relay", 0);
        var witness = World.Key("witness", 0);
        var note = new RelayCheckpoint("relay.example/log", 10, Hash32.Sha256("root"u8)).Sign(relayKey);
        var cosigned = Cosignatures.Cosign(note, "ledger-witness/w", witness, DateTimeOffset.FromUnixTimeSeconds(1_767_225_600));
        var key = NoteKey.Create("ledger-witness/w", witness.Public, NoteKey.Cosignature);
        var reparsed = SignedNote.Parse(cosigned.ToBytes());
        Assert.Equal([key.Id], Cosignatures.Verify(reparsed, [key], out var failed).Select(k => k.Id));
        Assert.Empty(failed);
        Assert.True(reparsed.Verify([NoteKey.Create("relay.example/log", relayKey.Public)]).Ok);

        var otherText = new RelayCheckpoint("relay.example/log", 11, Hash32.Sha256("root"u8)).Sign(relayKey);
        var moved = otherText.With(reparsed.Signatures[1]);
        Assert.Empty(Cosignatures.Verify(moved, [key], out var movedFailed));
        Assert.Single(movedFailed);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Malformed_notes_answer_with_typed_errors()
    {
        var good = new RelayCheckpoint("relay.example/log", 3, Hash32.Sha256("root"u8)).Sign(World.Key("relay", 0)).ToBytes();
        for (var n = 0; n < good.Length; n += 3)
        {
            try
            {
                SignedNote.Parse(good.AsSpan(0, n));
            }
            catch (LedgerFormatException)
            {
            }
        }

        var arb = Arb.From(Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf());
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(arb, (byte[] data) =>
        {
            try
            {
                var note = SignedNote.Parse(data);
                RelayCheckpoint.TryParse(note, out _, out _);
            }
            catch (LedgerFormatException)
            {
            }
        }));
        Assert.Throws<LedgerFormatException>(() => SignedNote.Parse("text\n\n\u2014 name AAAA\u0001\n"u8));
        Assert.Throws<LedgerFormatException>(() => SignedNote.Parse(new byte[SignedNote.MaxBytes + 1]));
    }

    [Fact]
    [Trait("Risk", "D4")]
    [Trait("Category", "BadInput")]
    public void Base64_that_another_implementation_would_reject_and_empty_extension_lines_are_refused_here_too()
    {
        var key = World.Key("relay", 0);
        var vkey = NoteKey.Create("relay.example/log", key.Public);
        var root = Convert.ToBase64String(Hash32.Sha256("root"u8).ToArray());
        RelayCheckpoint? parsed;
        string problem;
        bool Accepts(string text) => RelayCheckpoint.TryParse(SignedNote.Sign(text, vkey.Name, key), out parsed, out problem);

        Assert.True(Accepts($"relay.example/log\n3\n{root}\n"));
        Assert.True(Accepts($"relay.example/log\n3\n{root}\nextension\n"));
        // A space inside the root: .NET's decoder would skip it.
        Assert.False(Accepts($"relay.example/log\n3\n{root[..8]} {root[8..]}\n"));
        // Non-zero padding bits: the last character before '=' changed from its canonical form.
        var sloppy = root[..^2] + (char)(root[^2] + 1) + "=";
        Assert.NotNull(Convert.FromBase64String(sloppy));
        Assert.False(Accepts($"relay.example/log\n3\n{sloppy}\n"));
        // An empty extension line.
        Assert.False(Accepts($"relay.example/log\n3\n{root}\n\nextension\n"));
        // A signature line whose base64 has a space is malformed, not accepted.
        var note = Encoding.UTF8.GetString(new RelayCheckpoint("relay.example/log", 3, Hash32.Sha256("root"u8)).Sign(key).ToBytes());
        var cut = note.LastIndexOf(' ') + 6;
        Assert.Throws<LedgerFormatException>(() => SignedNote.Parse(Encoding.UTF8.GetBytes(note[..cut] + " " + note[cut..])));
        // Verifier keys too.
        var text = vkey.ToVkey();
        Assert.False(NoteKey.TryParseVkey(text[..^4] + " " + text[^4..], out _));
    }
}
