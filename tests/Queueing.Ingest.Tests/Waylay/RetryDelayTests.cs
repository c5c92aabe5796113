using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;
using Queueing.Ingest.Waylay;

namespace Queueing.Ingest.Tests.Waylay;

public sealed class RetryDelayTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 11, 28, 0, 0, 0, TimeSpan.Zero));

    private RetryDelay Delay(double random = 1.0) =>
        new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), () => random, _time);

    [Fact]
    public void Next_RetryAfterSeconds_IsHonoured()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));

        Assert.Equal((TimeSpan.FromSeconds(7), true), Delay().Next(response, attempt: 3));
    }

    [Fact]
    public void Next_RetryAfterHttpDate_WaitsUntilThatTime()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.TryAddWithoutValidation("Retry-After", "Fri, 28 Nov 2025 00:00:12 GMT");

        Assert.Equal((TimeSpan.FromSeconds(12), true), Delay().Next(response, attempt: 0));
    }

    [Fact]
    public void Next_RetryAfterDateInThePast_RetriesAtOnce()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(_time.GetUtcNow().AddMinutes(-1));

        Assert.Equal(TimeSpan.Zero, Delay().Next(response, attempt: 0).Delay);
    }

    [Fact]
    public void Next_UnparsableRetryAfter_FallsBackToBackoff()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", "soon");

        Assert.Equal((TimeSpan.FromMilliseconds(200), false), Delay().Next(response, attempt: 0));
    }

    [Theory]
    [InlineData(0, 200)]
    [InlineData(1, 400)]
    [InlineData(2, 800)]
    [InlineData(4, 3200)]
    [InlineData(5, 5000)]
    [InlineData(40, 5000)]
    public void Next_NoRetryAfter_ExponentialCapped(int attempt, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Delay(random: 1.0).Next(null, attempt).Delay);
    }

    [Theory]
    [InlineData(0.0, 400)]
    [InlineData(0.5, 600)]
    [InlineData(1.0, 800)]
    public void Next_Jitter_StaysInTheUpperHalf(double random, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Delay(random).Next(null, attempt: 2).Delay);
    }
}
