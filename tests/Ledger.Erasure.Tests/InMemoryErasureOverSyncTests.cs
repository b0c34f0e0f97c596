namespace Ledger.Erasure.Tests;

/// <summary>The erasure-over-sync witnesses (<see cref="ErasureOverSyncTests"/>) through the in-memory transport.</summary>
public sealed class InMemoryErasureOverSyncTests : ErasureOverSyncTests;
