namespace EhrR1.Graph.Reasoning.Endpoints;

/// <summary>
/// Sliding-window limiter for requests per minute and tokens per minute whose limits hold in every
/// <see cref="Window"/> as the <em>server</em> sees it (request arrival), not only as the client granted them.
/// <para>
/// Each attempt holds a <see cref="Lease"/> from the moment it is granted until <see cref="Window"/> after it ended
/// (response read, error, timeout or cancellation: <see cref="Lease.Dispose"/>). A request reaches the server
/// somewhere between its grant and its end, so any two requests whose leases never overlapped arrive at least one
/// window apart; a new grant is given only while fewer than RPM leases are held and the held leases' tokens plus the
/// new reservation stay within TPM. Hence at most RPM requests and at most TPM tokens arrive in any window,
/// whatever the delay between grant and sending (connection pool, thread pool, network) and whatever the mix of
/// first attempts and retries (each attempt takes its own lease). A lease counts its reservation while in flight
/// and the reported usage once <see cref="Lease.Reconcile"/> is called; the token bound holds when the reservation is
/// an upper bound of the usage (<see cref="ChatEndpointClient.ReserveTokens"/>).
/// </para>
/// The price of the guarantee is that a slot is busy for one latency more than a grant-time window would keep it,
/// so an RPM-bound run gets RPM × W / (W + latency) requests per window. Admission is first-come first-served, so a
/// large request is not starved by small ones. Thread-safe; memory is bounded by the leases held in one window.
/// </summary>
public sealed class RateLimiter : IDisposable
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(1);
    private readonly Queue<(long ReleaseAt, long Tokens)> _cooling = new();
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly long _windowTimestampTicks;
    private TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private long _inFlightTokens;
    private long _coolingTokens;

    public RateLimiter(int requestsPerMinute, long tokensPerMinute, TimeProvider? timeProvider = null, TimeSpan? window = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requestsPerMinute);
        ArgumentOutOfRangeException.ThrowIfNegative(tokensPerMinute);
        RequestsPerMinute = requestsPerMinute;
        TokensPerMinute = tokensPerMinute;
        _time = timeProvider ?? TimeProvider.System;
        Window = window ?? TimeSpan.FromMinutes(1);
        _windowTimestampTicks = (long)Math.Ceiling(Window.TotalSeconds * _time.TimestampFrequency);
    }

    public int RequestsPerMinute { get; }

    public long TokensPerMinute { get; }

    public TimeSpan Window { get; }

    public bool IsUnlimited => RequestsPerMinute == 0 && TokensPerMinute == 0;

    /// <summary>
    /// Waits until a request with the given token reservation may start and returns its lease; call
    /// <see cref="Lease.Reconcile"/> with the reported usage when the response arrives and dispose the lease when the
    /// attempt is over (its slot is then released one <see cref="Window"/> later).
    /// </summary>
    public async ValueTask<Lease> AcquireAsync(long reservedTokens, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(reservedTokens);
        if (IsUnlimited)
        {
            return new Lease(null, _time.GetTimestamp(), reservedTokens);
        }

        await _turn.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                Task ended;
                TimeSpan? wait;
                lock (_gate)
                {
                    if (TryAdmit(reservedTokens, out var lease, out wait))
                    {
                        return lease;
                    }

                    ended = _ended.Task;
                }

                if (wait is { } w)
                {
                    try
                    {
                        await ended.WaitAsync(w < MinimumWait ? MinimumWait : w, _time, cancellationToken);
                    }
                    catch (TimeoutException)
                    {
                        // The oldest slot we need has left the window: try again.
                    }
                }
                else
                {
                    // Only the end of a request in flight can make room: wait for one.
                    await ended.WaitAsync(cancellationToken);
                }
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>
    /// Grants a lease now if the limits allow it and no <see cref="AcquireAsync"/> caller is waiting. Otherwise
    /// returns false with <paramref name="retryAfter"/>: when the next slot leaves the window, or null when room
    /// depends on a request in flight ending first.
    /// </summary>
    public bool TryAcquire(long reservedTokens, out Lease? lease, out TimeSpan? retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(reservedTokens);
        lease = null;
        retryAfter = null;
        if (IsUnlimited)
        {
            lease = new Lease(null, _time.GetTimestamp(), reservedTokens);
            return true;
        }

        if (!_turn.Wait(0))
        {
            return false;
        }

        try
        {
            lock (_gate)
            {
                var admitted = TryAdmit(reservedTokens, out var granted, out retryAfter);
                lease = granted;
                return admitted;
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Leases held (in flight or ended less than a window ago) and their tokens.</summary>
    public (int Requests, long Tokens) Snapshot()
    {
        lock (_gate)
        {
            Expire(_time.GetTimestamp());
            return (_inFlight + _cooling.Count, _inFlightTokens + _coolingTokens);
        }
    }

    public void Dispose() => _turn.Dispose();

    private bool TryAdmit(long reservedTokens, out Lease lease, out TimeSpan? wait)
    {
        // A request larger than the whole budget would wait forever; it is admitted alone, in an empty window.
        var needed = TokensPerMinute > 0 ? Math.Min(reservedTokens, TokensPerMinute) : reservedTokens;
        var now = _time.GetTimestamp();
        Expire(now);
        var held = _inFlight + _cooling.Count;
        var heldTokens = _inFlightTokens + _coolingTokens;
        var requestsToFree = RequestsPerMinute == 0 ? 0 : held - RequestsPerMinute + 1;
        var tokensToFree = TokensPerMinute == 0 ? 0 : heldTokens + needed - TokensPerMinute;
        if (requestsToFree <= 0 && tokensToFree <= 0)
        {
            _inFlight++;
            _inFlightTokens += reservedTokens;
            lease = new Lease(this, now, reservedTokens);
            wait = null;
            return true;
        }

        lease = null!;
        wait = null;
        // Ended leases leave the window in the order they ended: find the first moment enough of them are gone.
        long freedTokens = 0;
        var freedRequests = 0;
        foreach (var (releaseAt, tokens) in _cooling)
        {
            freedRequests++;
            freedTokens += tokens;
            if (freedRequests >= requestsToFree && freedTokens >= tokensToFree)
            {
                wait = _time.GetElapsedTime(now, releaseAt);
                break;
            }
        }

        return false;
    }

    private void Expire(long now)
    {
        while (_cooling.Count > 0 && _cooling.Peek().ReleaseAt <= now)
        {
            _coolingTokens -= _cooling.Dequeue().Tokens;
        }
    }

    private void End(Lease lease)
    {
        TaskCompletionSource ended;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            lease.EndedAt = now;
            _inFlight--;
            _inFlightTokens -= lease.Tokens;
            _cooling.Enqueue((now + _windowTimestampTicks, lease.Tokens));
            _coolingTokens += lease.Tokens;
            ended = _ended;
            _ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        ended.TrySetResult();
    }

    /// <summary>One attempt's place in the window, from its grant until one window after it ended.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly RateLimiter? _owner;
        private int _ended;

        internal Lease(RateLimiter? owner, long startedAt, long tokens)
        {
            _owner = owner;
            StartedAt = startedAt;
            Tokens = tokens;
        }

        /// <summary>Timestamp (of the limiter's <see cref="TimeProvider"/>) of the grant.</summary>
        public long StartedAt { get; }

        /// <summary>Timestamp of the end of the attempt, once disposed; its slot is free one window later.</summary>
        public long? EndedAt { get; internal set; }

        /// <summary>Tokens this attempt counts for (the reservation, then the reported usage).</summary>
        public long Tokens { get; private set; }

        /// <summary>
        /// Replaces the reservation by the usage the endpoint reported (call before <see cref="Dispose"/>). Usage
        /// above the reservation is counted too, so later grants make up for it.
        /// </summary>
        public void Reconcile(long actualTokens)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(actualTokens);
            if (_owner is null)
            {
                Tokens = actualTokens;
                return;
            }

            lock (_owner._gate)
            {
                if (Volatile.Read(ref _ended) == 0)
                {
                    _owner._inFlightTokens += actualTokens - Tokens;
                    Tokens = actualTokens;
                }
            }
        }

        /// <summary>Ends the attempt: the slot and its tokens stay counted for one more window, then are freed.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0 && _owner is not null)
            {
                _owner.End(this);
            }
        }
    }
}
