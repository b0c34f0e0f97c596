using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Tests;

namespace Ledger.Sync.Tests;

/// <summary>The relay protocol's wire form (docs/wire-format.md, "Relay protocol v1"): every request and answer
/// pinned byte for byte, decoders that take only the canonical encoding and answer bad bytes typed, and a relay
/// server that answers every input without throwing.</summary>
public class RelayWireTests
{
    private static Relay SigningRelay() => new(new RelayOptions
    {
        Ledger = World.Ledger,
        Origin = "ledger-relay/wire-golden",
        CheckpointKey = SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes("wire-golden-relay/0")).ToArray()),
    }, new InMemoryRelayStore());

    /// <summary>Every call of a scripted exchange, as the request and answer frames a transport carries.</summary>
    private static async Task<List<(string Name, byte[] Request, byte[] Answer)>> Script()
    {
        var relay = SigningRelay();
        var server = new RelayWireServer(relay);
        var chain = World.Chain("till-1", 2);
        var other = World.Chain("till-2", 0);
        var frames = new List<(string, byte[], byte[])>();

        async Task Call(string name, RelayRequest request)
        {
            var bytes = RelayWire.EncodeRequest(request);
            frames.Add((name, bytes, await server.HandleAsync(bytes)));
        }

        // Accepted, then a repeat in one batch, a gap from another author, and bytes that are no signed op.
        await Call("push", RelayRequest.Push([chain[0].Bytes, chain[1].Bytes, chain[1].Bytes]));
        await Call("push-refusals", RelayRequest.Push([chain[0].Bytes, World.Chain("till-2", 1)[1].Bytes, new byte[] { 0xc0 }, other[0].Bytes]));
        await Call("pull", RelayRequest.Pull(1, 2));
        await Call("fetch-author", RelayRequest.FetchAuthor(other[0].Op.Author, 1));
        await Call("checkpoint-latest", RelayRequest.GetCheckpoint(null));
        await Call("checkpoint-2", RelayRequest.GetCheckpoint(2));
        await Call("consistency", RelayRequest.GetConsistencyProof(1, 3));
        await Call("inclusion", RelayRequest.GetInclusionProof(0, 3));
        await Call("post-cosignature", RelayRequest.PostCosignature((await relay.GetCheckpointAsync(3))!));
        await Call("cosignatures", RelayRequest.GetCosignatures());
        await Call("error-out-of-range", RelayRequest.GetCheckpoint(99));
        frames.Add(("error-bad-request", [0x93, 0x01, 0x02, 0x91], await server.HandleAsync(new byte[] { 0x93, 0x01, 0x02, 0x91 })));
        return frames;
    }

    [Fact]
    [Trait("Risk", "C2")]
    public async Task Every_request_and_answer_of_the_relay_protocol_is_pinned_byte_for_byte_by_a_golden_vector()
    {
        var text = new StringBuilder()
            .Append("# Relay protocol v1 (docs/wire-format.md, \"Relay protocol v1\"): request and answer frames of a scripted exchange\n")
            .Append("# with a relay of ledger 'sync-test', origin 'ledger-relay/wire-golden', checkpoint key seed SHA-256(\"wire-golden-relay/0\").\n")
            .Append("# Ops: World.Chain(\"till-1\", 2) and World.Chain(\"till-2\", …) of tests/Ledger.Sync.Tests/Support.cs.\n");
        foreach (var (name, request, answer) in await Script())
        {
            text.Append(name).Append(".request=").Append(Convert.ToHexStringLower(request)).Append('\n');
            text.Append(name).Append(".answer=").Append(Convert.ToHexStringLower(answer)).Append('\n');
        }

        Golden.Match("relay-wire-v1.txt", text.ToString());
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Every_golden_frame_decodes_to_what_the_relay_answered_and_encodes_back_to_the_same_bytes()
    {
        foreach (var (name, request, answer) in await Script())
        {
            if (name == "error-bad-request")
            {
                var bad = Assert.Throws<RelayProtocolException>(() => RelayWire.DecodePullAnswer(answer));
                Assert.Equal(RelayErrorCode.BadRequest, bad.Code);
                Assert.Throws<LedgerFormatException>(() => RelayWire.DecodeRequest(request));
                continue;
            }

            var decoded = RelayWire.DecodeRequest(request);
            Assert.Equal(request, RelayWire.EncodeRequest(decoded));
            switch (decoded.Call)
            {
                case RelayCall.Push when name == "push":
                    var push = RelayWire.DecodePushAnswer(answer);
                    Assert.Equal([IngestStatus.Accepted, IngestStatus.Accepted, IngestStatus.Duplicate], push.Results.Select(r => r.Status));
                    Assert.Equal([0L, 1L, 1L], push.Results.Select(r => r.Position!.Value));
                    Assert.Equal(3UL, push.NextSeq![push.Results[0].Op!.Value.Author]);
                    Assert.Equal("ledger-relay/wire-golden", push.Origin);
                    Assert.Equal(answer, RelayWire.EncodePushAnswer(push));
                    break;
                case RelayCall.Push:
                    var refused = RelayWire.DecodePushAnswer(answer);
                    Assert.Equal(IngestStatus.Duplicate, refused.Results[0].Status);
                    Assert.Equal(IngestRefusal.Gap, refused.Results[1].Refusal);
                    Assert.Equal(1UL, refused.Results[1].SendFromSeq);
                    Assert.Equal(IngestRefusal.Malformed, refused.Results[2].Refusal);
                    Assert.Null(refused.Results[2].Op);
                    Assert.Equal(IngestStatus.Accepted, refused.Results[3].Status);
                    Assert.Equal(2UL, refused.NextSeq![refused.Results[3].Op!.Value.Author]);
                    Assert.Equal(answer, RelayWire.EncodePushAnswer(refused));
                    break;
                case RelayCall.Pull:
                    var pull = RelayWire.DecodePullAnswer(answer);
                    Assert.Equal([1L, 2L], pull.Ops.Select(o => o.Position));
                    Assert.Equal(3, pull.RelaySize);
                    Assert.NotNull(pull.Checkpoint);
                    break;
                case RelayCall.FetchAuthor:
                    Assert.Single(RelayWire.DecodeFetchAuthorAnswer(answer));
                    break;
                case RelayCall.GetCheckpoint when name.StartsWith("error", StringComparison.Ordinal):
                    var error = Assert.Throws<RelayProtocolException>(() => RelayWire.DecodeCheckpointAnswer(answer));
                    Assert.Equal(RelayErrorCode.OutOfRange, error.Code);
                    break;
                case RelayCall.GetCheckpoint:
                    Assert.StartsWith("ledger-relay/wire-golden\n", Encoding.UTF8.GetString(RelayWire.DecodeCheckpointAnswer(answer)!), StringComparison.Ordinal);
                    break;
                case RelayCall.GetConsistencyProof or RelayCall.GetInclusionProof:
                    Assert.NotEmpty(RelayWire.DecodeProofAnswer(answer, decoded.Call));
                    break;
                case RelayCall.PostCosignature:
                    RelayWire.DecodePostCosignatureAnswer(answer);
                    break;
                case RelayCall.GetCosignatures:
                    Assert.Single(RelayWire.DecodeCosignaturesAnswer(answer));
                    break;
            }
        }
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_request_that_does_not_decode_is_answered_bad_request_naming_the_field_at_every_truncation_and_mutation()
    {
        var server = new RelayWireServer(World.NewRelay());
        var chain = World.Chain("till-1", 1);
        var valid = RelayWire.EncodeRequest(RelayRequest.Push([chain[0].Bytes, chain[1].Bytes]));
        var inputs = new List<byte[]>();
        for (var length = 0; length < valid.Length; length++) inputs.Add(valid[..length]);
        var random = new Random(1234);
        for (var i = 0; i < 300; i++)
        {
            var mutated = valid.ToArray();
            mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
            inputs.Add(mutated);
        }

        foreach (var input in inputs)
        {
            var answer = await server.HandleAsync(input);
            try
            {
                RelayWire.DecodePushAnswer(answer);
            }
            catch (RelayProtocolException e)
            {
                Assert.Equal(RelayErrorCode.BadRequest, e.Code);
                Assert.Contains("relay request", e.Detail, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [Trait("Risk", "G1")]
    [InlineData("930102920001", "call", "decodes")] // canonical pull(0, 1)
    [InlineData("93010292", "args", "truncated")]
    [InlineData("930102920001c0", "(end)", "trailing")]
    [InlineData("930202920001", "version", "version 2")]
    [InlineData("9301099200", "call", "not a call")]
    [InlineData("9301cd0002920001", "call", "non-canonical")]
    [InlineData("930102920000", "args.max", "max 0")]
    [InlineData("930102920001d0ff", "(end)", "trailing")]
    [InlineData("93010292d0ff01", "args.fromPosition", "negative")]
    public void Requests_are_decoded_strictly_and_a_failure_names_the_field(string hex, string field, string why)
    {
        var bytes = Convert.FromHexString(hex);
        if (why == "decodes")
        {
            var request = RelayWire.DecodeRequest(bytes);
            Assert.Equal((RelayCall.Pull, 0L, 1), (request.Call, request.FromPosition, request.Max));
            return;
        }

        var e = Assert.Throws<LedgerFormatException>(() => RelayWire.DecodeRequest(bytes));
        Assert.StartsWith(field, e.Field, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Mutated_answers_are_refused_typed_and_whatever_decodes_encodes_back_to_the_same_bytes()
    {
        var frames = await Script();
        var random = new Random(4321);
        var decoded = 0;
        foreach (var (name, request, answer) in frames)
        {
            var call = name == "error-bad-request" ? RelayCall.Pull : RelayWire.DecodeRequest(request).Call;
            for (var i = 0; i < 200; i++)
            {
                var mutated = answer.ToArray();
                switch (i % 3)
                {
                    case 0: mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8)); break;
                    case 1: mutated = mutated[..random.Next(mutated.Length)]; break;
                    default: mutated[random.Next(mutated.Length)] = (byte)random.Next(256); break;
                }

                try
                {
                    var again = Reencode(call, mutated);
                    Assert.Equal(mutated, again);
                    decoded++;
                }
                catch (Exception e) when (e is LedgerFormatException or RelayProtocolException)
                {
                }
            }
        }

        Assert.True(decoded > 0, "some mutations (e.g. of op bytes or details) must still decode: the check had something to check");
    }

    private static byte[] Reencode(RelayCall call, byte[] answer) => call switch
    {
        RelayCall.Push => RelayWire.EncodePushAnswer(RelayWire.DecodePushAnswer(answer)),
        RelayCall.Pull => RelayWire.EncodePullAnswer(RelayWire.DecodePullAnswer(answer)),
        RelayCall.FetchAuthor => RelayWire.EncodeFetchAuthorAnswer(RelayWire.DecodeFetchAuthorAnswer(answer)),
        RelayCall.GetCheckpoint => RelayWire.EncodeCheckpointAnswer(RelayWire.DecodeCheckpointAnswer(answer)),
        RelayCall.GetConsistencyProof or RelayCall.GetInclusionProof => RelayWire.EncodeProofAnswer(call, RelayWire.DecodeProofAnswer(answer, call)),
        RelayCall.PostCosignature => Post(answer),
        _ => RelayWire.EncodeCosignaturesAnswer(RelayWire.DecodeCosignaturesAnswer(answer)),
    };

    private static byte[] Post(byte[] answer)
    {
        RelayWire.DecodePostCosignatureAnswer(answer);
        return RelayWire.EncodePostCosignatureAnswer();
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task Through_the_wire_a_size_beyond_the_log_is_a_typed_protocol_refusal_and_an_unreadable_answer_is_an_unavailable_relay()
    {
        var transport = new InMemoryRelayTransport(World.NewRelay());
        var e = await Assert.ThrowsAsync<RelayProtocolException>(() => transport.GetConsistencyProofAsync(3, 1));
        Assert.Equal(RelayErrorCode.OutOfRange, e.Code);
        Assert.Equal(RelayCall.GetConsistencyProof, e.Call);

        var garbled = new RelayWireClient((_, _) => Task.FromResult<ReadOnlyMemory<byte>>(new byte[] { 0x94, 0x01, 0x02, 0x00 }));
        var lost = await Assert.ThrowsAsync<RelayUnavailableException>(() => garbled.PullAsync(0, 10));
        Assert.IsType<LedgerFormatException>(lost.InnerException);
        Assert.True(transport.RoundTrips == 1 && transport.BytesCarried > 0);
    }
}
