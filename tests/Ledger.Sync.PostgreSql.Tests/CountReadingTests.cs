using System.Reflection;
using Ledger.Sync.Conformance;

namespace Ledger.Sync.PostgreSql.Tests;

/// <summary>The relay tells each accepted op the position it landed at, even when the store's count moves while the
/// batch is being placed. A PostgreSQL store's count moves outside the relay's gate (its listener sees other instances'
/// commits), so a relay that read the count once for the batch's tentative positions and again for the shift to where
/// the store put the batch told its ops positions off by what another instance stored in between (the CI fleet audit
/// found "lost 1"). Here the listener's move is made to happen at the worst moment: right after the relay's first
/// reading of the count.</summary>
public sealed class CountReadingTests(PostgreSqlDatabase database) : IClassFixture<PostgreSqlDatabase>
{
    [Fact]
    [Trait("Risk", "G1")]
    public async Task An_op_is_told_the_position_it_landed_at_when_another_instance_commits_right_after_the_relay_reads_the_count()
    {
        using var mine = new PostgreSqlRelayStore(database.ConnectionString, Fleet.Ledger);
        using var other = new PostgreSqlRelayStore(database.ConnectionString, Fleet.Ledger);
        var foreign = ConformanceOps.Chain("count-foreign", 3);
        var store = MovingCountStore.Create(mine, async () =>
        {
            // Another instance commits three ops; this instance's listener then moves the count (RefreshAsync is what
            // the listener calls on a notification).
            await other.AppendSequencedAsync(ConformanceOps.Stored(foreign, 0));
            await mine.RefreshAsync();
        });
        using var relay = new Relay(new RelayOptions { Ledger = Fleet.Ledger, CheckpointKey = Fleet.Key() }, store);
        var chain = ConformanceOps.Chain("count-mine", 4);
        var warmUp = await relay.PushAsync([chain[0].Bytes]);
        Assert.Equal(IngestStatus.Accepted, warmUp.Results[0].Status);

        MovingCountStore.Arm(store);
        var response = await relay.PushAsync(chain.Skip(1).Select(o => o.Bytes).ToArray());

        Assert.True(MovingCountStore.Fired(store), "the count never moved: the witness did not reach the relay's reading");
        var log = await mine.ReadAsync(0, 100);
        Assert.Equal(chain.Count + foreign.Count, log.Count);
        foreach (var result in response.Results)
        {
            Assert.Equal(IngestStatus.Accepted, result.Status);
            var told = Assert.IsType<long>(result.Position);
            var stored = log.Single(s => s.Position == told);
            Assert.True(stored.Author == result.Op!.Value.Author && stored.Seq == result.Op.Value.Seq,
                $"{result.Op} was told position {told}, which holds {stored.Author}#{stored.Seq}");
        }
    }

    /// <summary>What the relay sees as its store: every call goes to the real PostgreSQL store, but once armed, the first
    /// reading of <see cref="IRelayStore.Count"/> returns the count and then lets another instance commit and the
    /// listener move it — before the relay's next step.</summary>
    public interface ITestStore : ISharedRelayStore, IRelayTreeStore;

    public class MovingCountStore : DispatchProxy
    {
        private PostgreSqlRelayStore _target = null!;
        private Func<Task> _move = null!;
        private bool _armed;
        private bool _fired;

        public static ITestStore Create(PostgreSqlRelayStore target, Func<Task> move)
        {
            var proxy = DispatchProxy.Create<ITestStore, MovingCountStore>();
            var self = (MovingCountStore)(object)proxy;
            self._target = target;
            self._move = move;
            return proxy;
        }

        public static void Arm(ITestStore store) => ((MovingCountStore)(object)store)._armed = true;

        public static bool Fired(ITestStore store) => ((MovingCountStore)(object)store)._fired;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            object? value;
            try
            {
                value = targetMethod.Invoke(_target, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }

            if (_armed && targetMethod.Name == "get_Count")
            {
                _armed = false;
                _fired = true;
                _move().GetAwaiter().GetResult();
            }

            return value;
        }
    }
}
