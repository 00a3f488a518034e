{#- numerator / denominator as a double; 0 when the denominator is 0 (an empty file has no share). -#}
{% macro share(numerator, denominator) -%}
    case
        when {{ denominator }} > 0
            then cast({{ numerator }} as double) / {{ denominator }}
        else 0
    end
{%- endmacro %}
