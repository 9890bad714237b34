namespace EhrR1.Graph.Reasoning.Endpoints;

/// <summary>
/// Exact sliding-window limiter for requests per minute and tokens per minute: a request is admitted only when,
/// over the trailing <see cref="Window"/>, the admitted requests stay below the RPM limit and their token
/// estimates (or, once known, their reported usage) plus this request's estimate stay within the TPM limit.
/// Admission is first-come first-served, so a large request is not starved by small ones.
/// Thread-safe; memory is bounded by the number of requests admitted in one window.
/// </summary>
public sealed class RateLimiter : IDisposable
{
    private readonly Queue<Lease> _window = new();
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private long _tokensInWindow;

    public RateLimiter(int requestsPerMinute, long tokensPerMinute, TimeProvider? timeProvider = null, TimeSpan? window = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requestsPerMinute);
        ArgumentOutOfRangeException.ThrowIfNegative(tokensPerMinute);
        RequestsPerMinute = requestsPerMinute;
        TokensPerMinute = tokensPerMinute;
        _time = timeProvider ?? TimeProvider.System;
        Window = window ?? TimeSpan.FromMinutes(1);
    }

    public int RequestsPerMinute { get; }

    public long TokensPerMinute { get; }

    public TimeSpan Window { get; }

    public bool IsUnlimited => RequestsPerMinute == 0 && TokensPerMinute == 0;

    /// <summary>
    /// Waits until a request with the given token estimate may start and returns its lease; call
    /// <see cref="Lease.Reconcile"/> with the reported usage when the response arrives.
    /// </summary>
    public async ValueTask<Lease> AcquireAsync(long estimatedTokens, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(estimatedTokens);
        if (IsUnlimited)
        {
            return new Lease(this, 0, estimatedTokens);
        }

        if (TokensPerMinute > 0 && estimatedTokens > TokensPerMinute)
        {
            // A request larger than the whole budget would wait forever; admit it alone in an empty window.
            estimatedTokens = TokensPerMinute;
        }

        await _turn.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                TimeSpan wait;
                lock (_gate)
                {
                    var now = _time.GetTimestamp();
                    Expire(now);
                    var requestsOk = RequestsPerMinute == 0 || _window.Count < RequestsPerMinute;
                    var tokensOk = TokensPerMinute == 0 || _tokensInWindow + estimatedTokens <= TokensPerMinute;
                    if (requestsOk && tokensOk)
                    {
                        var lease = new Lease(this, now, estimatedTokens);
                        _window.Enqueue(lease);
                        _tokensInWindow += estimatedTokens;
                        return lease;
                    }

                    wait = TimeUntilRoom(now, estimatedTokens);
                }

                await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, _time, cancellationToken);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Requests and tokens counted in the current window (for tests and progress).</summary>
    public (int Requests, long Tokens) Snapshot()
    {
        lock (_gate)
        {
            Expire(_time.GetTimestamp());
            return (_window.Count, _tokensInWindow);
        }
    }

    public void Dispose() => _turn.Dispose();

    private void Expire(long now)
    {
        while (_window.Count > 0 && _time.GetElapsedTime(_window.Peek().StartedAt, now) >= Window)
        {
            var old = _window.Dequeue();
            _tokensInWindow -= old.Tokens;
            old.Expired = true;
        }
    }

    private TimeSpan TimeUntilRoom(long now, long needed)
    {
        // Walk the window from the oldest lease until both limits would be met once those leases expire.
        var requestsToFree = RequestsPerMinute == 0 ? 0 : _window.Count - RequestsPerMinute + 1;
        var tokensToFree = TokensPerMinute == 0 ? 0 : _tokensInWindow + needed - TokensPerMinute;
        long freedTokens = 0;
        var freedRequests = 0;
        foreach (var lease in _window)
        {
            freedRequests++;
            freedTokens += lease.Tokens;
            if (freedRequests >= requestsToFree && freedTokens >= tokensToFree)
            {
                var left = Window - _time.GetElapsedTime(lease.StartedAt, now);
                return left > TimeSpan.Zero ? left : TimeSpan.Zero;
            }
        }

        return TimeSpan.FromMilliseconds(5);
    }

    /// <summary>A started request's place in the window.</summary>
    public sealed class Lease
    {
        private readonly RateLimiter _owner;

        internal Lease(RateLimiter owner, long startedAt, long tokens)
        {
            _owner = owner;
            StartedAt = startedAt;
            Tokens = tokens;
        }

        internal long StartedAt { get; }

        /// <summary>Tokens this request counts for in the window (estimate, then actual usage).</summary>
        public long Tokens { get; private set; }

        internal bool Expired { get; set; }

        /// <summary>Replaces the estimate by the usage the endpoint reported.</summary>
        public void Reconcile(long actualTokens)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(actualTokens);
            lock (_owner._gate)
            {
                if (!Expired && !_owner.IsUnlimited)
                {
                    _owner._tokensInWindow += actualTokens - Tokens;
                }

                Tokens = actualTokens;
            }
        }
    }

}
