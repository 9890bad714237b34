using EhrR1.Graph.Neo4j.Http;

namespace EhrR1.Graph.Neo4j.Tests;

public sealed class CypherDialectTests
{
    [Fact]
    public void Should_PrefixThePlannerAndBraceEveryParameter_When_WritingForCypher23()
    {
        // Given a statement with names, digits, underscores, a list parameter and a map-literal brace
        const string statement = "MATCH (a:Concept {cui: $target_cui}), (b:Concept {cui: $h2})\nWHERE NONE(r IN x WHERE r.rela IN $excluded OR NOT $keep_pair_edge) RETURN $0 AS first";

        // When
        var converted = CypherDialect.ToCypher23(statement);

        // Then
        converted.Should().Be("CYPHER 2.3\nMATCH (a:Concept {cui: {target_cui}}), (b:Concept {cui: {h2}})\nWHERE NONE(r IN x WHERE r.rela IN {excluded} OR NOT {keep_pair_edge}) RETURN {0} AS first");
    }

    [Fact]
    public void Should_LeaveDollarSignsAlone_When_TheyAreInsideLiteralsNamesOrComments()
    {
        // Given
        const string statement = "MATCH (n) WHERE n.a = 'it''s $x' AND n.b = \"say \\\"$y\\\"\" AND n.`$z` = $w // $comment\n/* $block */ RETURN 'a\\'$q' AS v";

        // When
        var converted = CypherDialect.ToCypher23(statement);

        // Then only $w is a parameter
        converted.Should().Be("CYPHER 2.3\nMATCH (n) WHERE n.a = 'it''s $x' AND n.b = \"say \\\"$y\\\"\" AND n.`$z` = {w} // $comment\n/* $block */ RETURN 'a\\'$q' AS v");
    }

    [Theory]
    [InlineData("CYPHER 2.3 MATCH (n) RETURN n")]
    [InlineData("  cypher planner=rule MATCH (n) RETURN n")]
    [InlineData("MATCH (n {id: $`odd name`}) RETURN n")]
    [InlineData("RETURN $ AS x")]
    public void Should_Refuse_When_TheStatementCannotBeWrittenFor23(string statement)
    {
        var act = () => CypherDialect.ToCypher23(statement);

        act.Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(4, false)]
    [InlineData(5, false)]
    public void Should_ConvertOnlyFor3x_When_WritingForAServer(int major, bool converted)
    {
        const string statement = "MATCH p = shortestPath((a {cui: $a})-[*..5]-(b {cui: $b})) RETURN p";

        CypherDialect.ForServer(statement, major).Should().Be(converted ? "CYPHER 2.3\nMATCH p = shortestPath((a {cui: {a}})-[*..5]-(b {cui: {b}})) RETURN p" : statement);
    }

    [Fact]
    public void Should_Refuse_When_TheMajorIsUnknown()
    {
        var act = () => CypherDialect.ForServer("RETURN 1", 2);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData("3", 3)]
    [InlineData("3.1", 3)]
    [InlineData("3.1.1", 3)]
    [InlineData("3.x", 3)]
    [InlineData(" 4 ", 4)]
    [InlineData("4.4", 4)]
    [InlineData("5", 5)]
    [InlineData("5.26.0", 5)]
    public void Should_ReadTheMajor_When_TheServerVersionIsValid(string text, int major)
    {
        CypherDialect.TryParseServerVersion(text, out var m).Should().BeTrue();
        m.Should().Be(major);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2.3")]
    [InlineData("6")]
    [InlineData("3.")]
    [InlineData("3.1a")]
    [InlineData("five")]
    [InlineData("-3")]
    [InlineData(null)]
    public void Should_Refuse_When_TheServerVersionIsNotKnown(string? text)
    {
        CypherDialect.TryParseServerVersion(text, out _).Should().BeFalse();
    }
}
