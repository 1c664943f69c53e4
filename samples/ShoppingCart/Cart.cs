namespace ShoppingCart;

/// <summary>The cart as session keys: one <c>item:SKU</c> key per product holding its quantity, and the customer's name.</summary>
/// <remarks>One key per product rather than one serialized list: two tabs adding different products at the same time
/// change different keys, and a store that commits only changed keys keeps both.</remarks>
public static class Cart
{
    public const string CustomerKey = "customer";
    private const string ItemPrefix = "item:";

    /// <summary>What the cart holds, as the API returns it.</summary>
    public static CartView Of(ISession session) => new(
        session.Id,
        session.GetString(CustomerKey),
        session.Keys
            .Where(key => key.StartsWith(ItemPrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToDictionary(key => key[ItemPrefix.Length..], key => session.GetInt32(key) ?? 0));

    public static void Add(ISession session, string sku, int quantity)
    {
        var key = ItemPrefix + sku;
        session.SetInt32(key, checked((session.GetInt32(key) ?? 0) + quantity));
    }

    public static void Remove(ISession session, string sku) => session.Remove(ItemPrefix + sku);
}

/// <summary>A cart: its session's id, the customer and the quantity of each product.</summary>
public sealed record CartView(string Session, string? Customer, IReadOnlyDictionary<string, int> Items);
