using EhrR1.Graph.Training.Native;
using TorchSharp;

namespace EhrR1.Graph.Training.Tests.Native;

public sealed class TorchSharpNativeTests
{
    [Fact]
    public void Should_CreateTensors_When_NativeFixApplied()
    {
        // Given
        TorchSharpNative.EnsureLoadable();

        // When
        using var ones = torch.ones(2, 2);
        using var sum = ones.sum();

        // Then
        sum.item<float>().Should().Be(4f);
    }

    [Fact]
    public void Should_MarkRequirementWeak_Idempotently_When_Patching()
    {
        // Given: the pristine bridge library as shipped in the package (copied, never modified in place)
        var source = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        var image = File.ReadAllBytes(source);
        var before = ElfSymbolVersions.ReadRequirements(image);
        before.Should().Contain(r => r.Version == TorchSharpNative.RequiredVersion);

        // When
        var first = TorchSharpNative.PatchImage(image, TorchSharpNative.RequiredVersion);
        var second = TorchSharpNative.PatchImage(image, TorchSharpNative.RequiredVersion);

        // Then
        first.Should().BeOneOf(TorchSharpNative.PatchOutcome.Patched, TorchSharpNative.PatchOutcome.AlreadyWeak);
        second.Should().Be(TorchSharpNative.PatchOutcome.AlreadyWeak);
        var after = ElfSymbolVersions.ReadRequirements(image);
        (after.Single(r => r.Version == TorchSharpNative.RequiredVersion).Flags & ElfSymbolVersions.VerFlagWeak).Should().Be(ElfSymbolVersions.VerFlagWeak);
        after.Where(r => r.Version != TorchSharpNative.RequiredVersion).Select(r => r.Flags)
            .Should().Equal(before.Where(r => r.Version != TorchSharpNative.RequiredVersion).Select(r => r.Flags));
    }

    [Fact]
    public void Should_ReadSystemLibStdCxxVersions_When_Present()
    {
        var path = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
        if (!File.Exists(path))
        {
            return;
        }

        var defs = ElfSymbolVersions.ReadDefinitions(File.ReadAllBytes(path));
        defs.Should().Contain("GLIBCXX_3.4");
    }
}
