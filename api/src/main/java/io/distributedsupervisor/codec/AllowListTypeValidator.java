package io.distributedsupervisor.codec;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.jsontype.PolymorphicTypeValidator;

/**
 * Jackson's gate for class-name type ids, decided by the {@link AllowList} alone. For a class
 * name it answers only ALLOWED or DENIED, never INDETERMINATE: INDETERMINATE would make Jackson
 * load the class and ask again with the loaded type, and a refused class must never be loaded.
 */
final class AllowListTypeValidator extends PolymorphicTypeValidator.Base {
    private static final long serialVersionUID = 1L;

    private final AllowList allowList;

    AllowListTypeValidator(AllowList allowList) {
        this.allowList = allowList;
    }

    @Override
    public Validity validateSubClassName(MapperConfig<?> config, JavaType baseType, String subClassName) {
        return allowList.allows(subClassName) ? Validity.ALLOWED : Validity.DENIED;
    }

    @Override
    public Validity validateSubType(MapperConfig<?> config, JavaType baseType, JavaType subType) {
        // Not reached while validateSubClassName decides, kept consistent in case Jackson asks.
        return allowList.allows(subType.getRawClass().getName()) ? Validity.ALLOWED : Validity.DENIED;
    }
}
