using System.Globalization;
using System.Text;

namespace SessionCluster.Actors.Remoting;

/// <summary>Where a field sits in a wire message (<c>ShardReply.reply.snapshot.state.attributes[2].name</c>), kept as
/// its parts and made text only when an error names it.</summary>
/// <remarks>
/// Decoders pass the path of what they read down to the helpers that check it, for every message they decode, while
/// an error that needs it as text is rare. Built eagerly, those paths were a dozen strings per session reply and a
/// few per element of every list decoded. Up to <see cref="InlineParts"/> parts stay in the value; a deeper path
/// folds the earlier ones into text, which only very deep messages pay.
/// </remarks>
public readonly struct WireField
{
    /// <summary>How many parts a path holds before it folds them into text.</summary>
    public const int InlineParts = 4;

    private const int NoIndex = -1;

    private readonly string _root;
    private readonly string? _name0, _name1, _name2, _name3;
    private readonly int _index0, _index1, _index2, _index3;
    private readonly int _count;

    /// <summary>A path that starts at <paramref name="root"/>, usually a message's name (<c>ShardEnvelope</c>).</summary>
    public WireField(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        _root = root;
        (_index0, _index1, _index2, _index3) = (NoIndex, NoIndex, NoIndex, NoIndex);
    }

    private WireField(in WireField from, string? name, int index)
    {
        _root = from._root;
        (_name0, _name1, _name2, _name3) = (from._name0, from._name1, from._name2, from._name3);
        (_index0, _index1, _index2, _index3) = (from._index0, from._index1, from._index2, from._index3);
        _count = from._count + 1;
        switch (from._count)
        {
            case 0: (_name0, _index0) = (name, index); break;
            case 1: (_name1, _index1) = (name, index); break;
            case 2: (_name2, _index2) = (name, index); break;
            default: (_name3, _index3) = (name, index); break;
        }
    }

    /// <summary>A path for a message's own name (or any text path), as the decoders' callers write it.</summary>
    public static implicit operator WireField(string root) => new(root);

    /// <summary>The field <paramref name="name"/> (one or more dotted names: <c>snapshot.state</c>) under this one.</summary>
    public WireField Then(string name) => Append(name, NoIndex);

    /// <summary>Element <paramref name="index"/> of the repeated field <paramref name="name"/> under this one.</summary>
    public WireField Then(string name, int index) => Append(name, index);

    /// <summary>Element <paramref name="index"/> of this field, a repeated one.</summary>
    public WireField At(int index) => Append(null, index);

    private WireField Append(string? name, int index) =>
        _count < InlineParts ? new WireField(this, name, index) : new WireField(new WireField(ToString()), name, index);

    /// <summary>The path as text: <c>root.name[index].name</c>.</summary>
    public override string ToString()
    {
        if (_count == 0)
        {
            return _root ?? string.Empty;
        }

        var text = new StringBuilder(_root);
        Write(text, _name0, _index0, 0);
        Write(text, _name1, _index1, 1);
        Write(text, _name2, _index2, 2);
        Write(text, _name3, _index3, 3);
        return text.ToString();
    }

    private void Write(StringBuilder text, string? name, int index, int part)
    {
        if (part >= _count)
        {
            return;
        }

        if (name is not null)
        {
            text.Append('.').Append(name);
        }

        if (index != NoIndex)
        {
            text.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
        }
    }
}
